"""One busy project against the same writes spread (target 3), measured and profiled.

    python bench/profiles/busy.py compare [--checkout NAME=PATH ...] [--rounds R] [--seconds S]
    python bench/profiles/busy.py profile [--requests N] [--concurrency C] [--busy] [--html F]

`compare` serves the real app (uvicorn, one worker, projections on) once per checkout and
loads each with wrk at 32 connections (bench/load.py, bench/traffic.py's recordService
bodies as a supervisor sends them), in interleaved rounds: every open project with a CSO in
turn ("spread"), then all on one of them ("busy"). It prints each round's req/s, the
server's CPU milliseconds per request and the CONFLICTs, then for each checkout the median
busy/spread ratio, which is what target 3 asks of (≥ 0.5, no CONFLICT). Without
`--checkout` it serves the checkout it belongs to; `--checkout main=<path>` serves another
checkout beside it, in the same rounds (each server gets its checkout first on its path).

`profile` drives the use case in this process as bench/bare.py's `/record` route calls it
(no HTTP, no GraphQL) under pyinstrument, spread or `--busy`, and prints where the time
goes: what the use case and the store cost, which the bare route pays as well (target 2).

Both use CSO_DATABASE_URL, else CSO_TEST_DATABASE_URL (a server URL): a database named
`busy_profile` there is created and seeded with the demo district on first use, and kept
for later runs (`--fresh` drops it first, `--drop` drops it and exits).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import asyncpg

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1])]

from load import Run, run_wrk  # noqa: E402 - bench/ and bench/profiles/ put on the path above
from page import (  # noqa: E402
    _cpu_seconds,
    _free_port,
    prepared_database,
    print_profile,
    server_url,
    serving,
)
from traffic import record_bodies  # noqa: E402

from cso.graphql.auth import issue_token  # noqa: E402
from cso.services.identity import Principal, Role  # noqa: E402
from cso.settings import Settings  # noqa: E402

DATABASE = "busy_profile"
HOST = "127.0.0.1"
SUPERVISOR = "be0c0000-0000-4000-8000-000000000001"
OPEN_PROJECTS = """
SELECT id FROM rm_projects WHERE cso_id IS NOT NULL AND NOT closed ORDER BY created_at, id
"""


async def open_projects(url: str) -> list[uuid.UUID]:
    conn = await asyncpg.connect(url)
    try:
        return [row["id"] for row in await conn.fetch(OPEN_PROJECTS)]
    finally:
        await conn.close()


# -- compare ----------------------------------------------------------------------------------


def _round(base: str, pid: int, bodies: list[str], token: str, seconds: int) -> tuple[Run, float]:
    """One wrk run and the server's CPU milliseconds per request during it."""
    cpu = _cpu_seconds(pid)
    run = asyncio.run(run_wrk(f"{base}/graphql", bodies, seconds, f"Bearer {token}"))
    return run, 1000 * (_cpu_seconds(pid) - cpu) / max(run.requests, 1)


def compare(args: argparse.Namespace) -> None:
    url = asyncio.run(prepared_database(server_url(), args.fresh, DATABASE))
    projects = asyncio.run(open_projects(url))
    if len(projects) < 2:
        sys.exit("the seed left fewer than two open projects with a CSO")
    today = date.today().isoformat()
    loads = {
        "spread": record_bodies(projects, today),
        "busy": record_bodies(projects[:1], today),
    }
    here = str(Path(__file__).resolve().parents[2])
    checkouts = {"this": here, **dict(c.split("=", 1) for c in args.checkout)}
    secret = secrets.token_urlsafe(32)
    token = issue_token(secret, sub=SUPERVISOR, role=Role.SUPERVISOR, name="Bench", dept="Bench")
    rounds: dict[tuple[str, str], list[tuple[Run, float]]] = {}
    with tempfile.TemporaryDirectory() as outside, contextlib.ExitStack() as stack:
        servers = {}
        for name, path in checkouts.items():
            env = {
                **os.environ,
                "CSO_DATABASE_URL": url,
                "CSO_JWT_SECRET": secret,
                "CSO_LOG_LEVEL": "warning",
                "PYTHONPATH": os.pathsep.join(p for p in (path, os.environ.get("PYTHONPATH")) if p),
            }
            port = _free_port()
            command = [sys.executable, "-m", "uvicorn", "--host", HOST, "--port", str(port)]
            command += ["--no-access-log", "--log-level", "warning", "--workers", "1"]
            command += ["--factory", "cso.app:app_from_env", "--app-dir", path]
            os.chdir(outside)  # uvicorn puts the working directory first on the path
            servers[name] = stack.enter_context(serving(command, env, port))
        for server in servers.values():  # warm-up
            for load in loads.values():
                _round(server.base, server.pid, load, token, 2)
        for n in range(args.rounds):
            for name, server in servers.items():
                for load, bodies in loads.items():
                    run, cpu = _round(server.base, server.pid, bodies, token, args.seconds)
                    rounds.setdefault((name, load), []).append((run, cpu))
                    print(
                        f"round {n + 1} {name:>8} {load:>6}: {run.per_second:7.1f} req/s "
                        f"{cpu:6.2f} ms CPU/req, p50 {run.p50_ms:6.1f} ms, "
                        f"{run.conflicts} CONFLICT, {run.failures} failed",
                        flush=True,
                    )
    for name in checkouts:
        rate = {
            load: statistics.median(r.per_second for r, _ in rounds[name, load]) for load in loads
        }
        cpu = {load: statistics.median(c for _, c in rounds[name, load]) for load in loads}
        ratios = [
            busy.per_second / spread.per_second
            for (busy, _), (spread, _) in zip(
                rounds[name, "busy"], rounds[name, "spread"], strict=True
            )
        ]
        conflicts = sum(r.conflicts for r, _ in rounds[name, "busy"])
        print(
            f"{name}: busy {rate['busy']:.1f} req/s ({cpu['busy']:.2f} ms CPU/req), spread "
            f"{rate['spread']:.1f} req/s ({cpu['spread']:.2f} ms CPU/req); busy/spread "
            f"{statistics.median(ratios):.3f} (median of the rounds' ratios), "
            f"{conflicts} CONFLICT on the busy project"
        )


# -- profile ----------------------------------------------------------------------------------


async def _profiled(args: argparse.Namespace) -> None:
    from cso.app import open_runtime
    from cso.domain.enums import ServiceKind
    from cso.services import projects as use_cases
    from cso.services.application import Command

    url = await prepared_database(server_url(), args.fresh, DATABASE)
    projects = await open_projects(url)
    targets = projects[:1] if args.busy else projects
    settings = Settings.from_env(
        {"CSO_DATABASE_URL": url, "CSO_JWT_SECRET": "x" * 32, "CSO_RUN_PROJECTIONS": "0"}
    )
    principal = Principal(id=SUPERVISOR, role=Role.SUPERVISOR, name="Bench", dept="Bench")
    async with open_runtime(settings) as runtime:
        today = runtime.today()

        async def client(n: int, offset: int) -> None:
            for k in range(n):
                await use_cases.record_service(
                    runtime.application,
                    Command(principal=principal, correlation_id=uuid.uuid4().hex),
                    project_id=targets[(offset + k) % len(targets)],
                    kind=ServiceKind.VISIT,
                    summary=f"基准测试走访 #{k}",
                    occurred_on=today,
                )

        await asyncio.gather(*(client(5, c) for c in range(args.concurrency)))  # warm-up
        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(async_mode="disabled", interval=0.0005)
            profiler.start()
        each = args.requests // args.concurrency
        batches = getattr(runtime.application, "pipelines", None)
        before = 0 if batches is None else batches.batches
        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(client(each, c) for c in range(args.concurrency)))
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        if profiler is not None:
            profiler.stop()
        together = 0 if batches is None else batches.batches - before
    done = each * args.concurrency
    print(
        f"{done} recordService ({'one project' if args.busy else 'spread'}) in {wall:.2f} s: "
        f"{done / wall:.1f}/s in-process, {1000 * cpu / done:.3f} ms CPU each; "
        f"{together} appends of several commands"
    )
    if profiler is not None:
        print_profile(profiler, args.html, args.show_all)


def profile(args: argparse.Namespace) -> None:
    asyncio.run(_profiled(args))


async def _drop() -> None:
    admin = await asyncpg.connect(server_url())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="drop and re-seed the database")
    parser.add_argument("--drop", action="store_true", help="drop the database and exit")
    commands = parser.add_subparsers(dest="command")
    c = commands.add_parser("compare", help="one project against spread, with wrk")
    c.add_argument("--checkout", action="append", default=[], help="NAME=PATH, repeatable")
    c.add_argument("--rounds", type=int, default=3)
    c.add_argument("--seconds", type=int, default=5)
    c.set_defaults(run=compare)
    p = commands.add_parser("profile", help="the use case in-process, under pyinstrument")
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--busy", action="store_true", help="every command on one project")
    p.add_argument("--no-profile", dest="profile", action="store_false")
    p.add_argument("--show-all", action="store_true", help="pyinstrument: every frame")
    p.add_argument("--html", help="also write pyinstrument's HTML report here")
    p.set_defaults(run=profile)
    args = parser.parse_args()
    if args.drop:
        asyncio.run(_drop())
    elif args.command is None:
        parser.error("a command is needed: compare or profile")
    else:
        args.run(args)


if __name__ == "__main__":
    main()
