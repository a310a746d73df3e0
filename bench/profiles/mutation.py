"""The recordService mutation, measured and profiled against the bare route calling the same
use case (bench/bare.py): what the GraphQL layer adds around a write.

    python bench/profiles/mutation.py profile [--requests N] [--concurrency C] [--rounds R]
                                              [--profiler pyinstrument|cprofile|none]
    python bench/profiles/mutation.py compare [--rounds R] [--seconds S]
                                              [--projections app|worker|off]

`profile` drives both ASGI callables in this process (no sockets, no uvicorn), with the same
runtime (pool, store, repository, application; projections off), in interleaved rounds: the
GraphQL route (`POST /graphql`, a supervisor's bearer token, the body `make bench` sends) and
bench/bare.py's `record` (the same use case for a fixed supervisor, no token, no GraphQL). It
prints each round's CPU milliseconds per request of each and the ratio, which is what a change
to the mutation path is judged by (CPU per request, not wall time: the machine is shared).
Then it profiles the GraphQL route alone under pyinstrument (`pip install pyinstrument`) or
cProfile. `compare` serves the real app and the bare app under uvicorn (one worker each, as
`make bench` does: the app with its projections on, the bare app with none) and loads each
with wrk at 32 connections (bench/load.py), in interleaved rounds; it prints req/s, the
server's CPU per request and the ratios of the medians. `--projections worker` runs them
in a worker process of their own instead (`cso projections run`, its CPU per request
printed too), so that both servers carry the same projection load; `off`, nowhere.

Both use CSO_DATABASE_URL, else CSO_TEST_DATABASE_URL (a server URL): the database
`--database` (default cso_mutation_profile) there is created and seeded with the demo district
on first use (bench/profiles/page.py's `prepared_database`), and kept (`--fresh` drops it
first). Every run appends service records to its open projects.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import os
import pstats
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

# bench/ holds the bare app and wrk's driver; this profile runs as a script from bench/profiles.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import bare
import page
from load import run_wrk
from starlette.applications import Starlette
from starlette.routing import Route
from traffic import bare_record_bodies, record_bodies

from cso.graphql.auth import issue_token
from cso.services.identity import Role
from cso.settings import Settings

OPEN_PROJECTS = "SELECT id FROM rm_projects WHERE NOT closed AND cso_id IS NOT NULL ORDER BY id"


def _supervisor_token(secret: str) -> str:
    return issue_token(
        secret, sub=bare.SUPERVISOR.id, role=Role.SUPERVISOR, name="Bench", dept="Bench"
    )


async def _database(args: argparse.Namespace) -> tuple[str, list[Any]]:
    """The seeded database's URL and its open projects with a CSO."""
    import asyncpg

    url = await page.prepared_database(page.server_url(), args.fresh, args.database)
    conn = await asyncpg.connect(url)
    try:
        projects = [row["id"] for row in await conn.fetch(OPEN_PROJECTS)]
    finally:
        await conn.close()
    if not projects:
        sys.exit("the demo district has no open project with a CSO")
    return url, projects


# -- profile ----------------------------------------------------------------------------------


async def _profiled(args: argparse.Namespace) -> None:
    from cso.app import create_app, open_runtime
    from cso.runtime import settle_heap

    url, projects = await _database(args)
    secret = secrets.token_urlsafe(32)
    settings = Settings.from_env(
        {"CSO_DATABASE_URL": url, "CSO_JWT_SECRET": secret, "CSO_RUN_PROJECTIONS": "0"}
    )
    token = _supervisor_token(secret)
    today = date.today().isoformat()
    graphql_app = create_app(settings)
    normal_app = create_app(settings)
    _view_of(normal_app).schema.known_mutations = None  # every request through Strawberry's
    # bare.py's handler, served where page.py's ASGI driver posts (the path is all it sets).
    bare_app = Starlette(routes=[Route("/graphql", bare.record, methods=["POST"])])
    graphql_bodies = [b.encode() for b in record_bodies(projects, today, 4_000)]
    bodies = {
        "graphql": graphql_bodies,
        "normal": graphql_bodies,
        "bare": [b.encode() for b in bare_record_bodies(projects, today, 4_000)],
    }
    apps = {"graphql": graphql_app, "normal": normal_app, "bare": bare_app}
    async with open_runtime(settings) as runtime:
        state = {"runtime": runtime}
        for name in apps:
            first = json.loads(await page._asgi_post(apps[name], state, bodies[name][0], token))
            if "errors" in first or "consistencyToken" not in json.dumps(first):
                sys.exit(f"the {name} route failed: {first}")

        settle_heap()  # as the app's lifespan does once it has started serving

        async def run(name: str, count: int) -> float:
            """CPU seconds for `count` requests at `args.concurrency`."""
            turn = iter(range(count))
            cpu = time.process_time()

            async def client() -> None:
                for n in turn:
                    body = bodies[name][n % len(bodies[name])]
                    await page._asgi_post(apps[name], state, body, token)

            await asyncio.gather(*(client() for _ in range(args.concurrency)))
            return time.process_time() - cpu

        for name in apps:  # warm-up
            await run(name, args.requests // 4)
        per_request: dict[str, list[float]] = {name: [] for name in apps}
        names = list(apps)
        for n in range(args.rounds):
            # Each round starts with another route: whichever runs first pays more.
            for name in names[n % len(names) :] + names[: n % len(names)]:
                per_request[name].append(1000 * await run(name, args.requests) / args.requests)
            g, s, b = (per_request[k][-1] for k in ("graphql", "normal", "bare"))
            print(
                f"round {n + 1}: graphql {g:.3f} ms CPU/req, without the known-mutation path "
                f"{s:.3f}, bare {b:.3f}; bare/graphql {b / g:.3f}, bare/without {b / s:.3f}"
            )
        g, s, b = (statistics.median(per_request[k]) for k in ("graphql", "normal", "bare"))
        print(
            f"median: graphql {g:.3f} ms CPU/req, without the known-mutation path {s:.3f}, "
            f"bare {b:.3f}; the GraphQL layer adds {g - b:.3f} ms ({s - b:.3f} without); "
            f"bare/graphql {b / g:.3f} ({b / s:.3f} without) (concurrency {args.concurrency})"
        )
        if args.profiler != "none":
            await _profile_graphql(args, lambda: run("graphql", args.requests))


def _view_of(app: Starlette) -> Any:
    """The app's GraphQLView (the endpoint of its /graphql route)."""
    return next(r.endpoint for r in app.routes if getattr(r, "path", "") == "/graphql")


async def _profile_graphql(args: argparse.Namespace, run: Any) -> None:
    if args.profiler == "cprofile":
        profiler = cProfile.Profile()
        profiler.enable()
        await run()
        profiler.disable()
        if args.dump:
            profiler.dump_stats(args.dump)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.limit)
        print(out.getvalue())
        return
    from pyinstrument import Profiler

    instrument = Profiler(async_mode="disabled", interval=0.0005)
    instrument.start()
    await run()
    instrument.stop()
    print(instrument.output_text(unicode=False, color=False, show_all=args.show_all))


def profile(args: argparse.Namespace) -> None:
    page.run_fast(_profiled(args))


# -- compare ----------------------------------------------------------------------------------


async def _round(
    server: page.Served, path: str, bodies: list[str], auth: str, seconds: int
) -> tuple[float, float]:
    """One wrk run: req/s, and the server's CPU milliseconds per request."""
    cpu = page._cpu_seconds(server.pid)
    result = await run_wrk(server.base + path, bodies, seconds, auth)
    if result.failures:
        sys.exit(f"{path}: {result}")
    return result.per_second, 1000 * (page._cpu_seconds(server.pid) - cpu) / max(result.requests, 1)


# Where the projections run during `compare`: in our app's process (as `make bench` serves
# it: the bare app runs none, so our process also projects what the bare route writes while
# it is measured); in a worker process of their own (`cso projections run`) beside both
# servers, so each round carries the same projection load and neither server's CPU
# includes it; or nowhere.
PROJECTIONS = ("app", "worker", "off")


@contextlib.contextmanager
def _worker(mode: str, env: dict[str, str]) -> Iterator[int | None]:
    """The projection worker's pid in mode "worker" (stopped on the way out), else None."""
    if mode != "worker":
        yield None
        return
    command = [sys.executable, "-c", "from cso.cli import app; app()", "projections", "run"]
    process = subprocess.Popen(
        command, env={**env, "CSO_RUN_PROJECTIONS": "1"}, stderr=subprocess.DEVNULL
    )
    try:
        yield process.pid
    finally:
        process.terminate()
        process.wait(15)


def compare(args: argparse.Namespace) -> None:
    url, projects = asyncio.run(_database(args))
    secret = secrets.token_urlsafe(32)
    auth = f"Bearer {_supervisor_token(secret)}"
    today = date.today().isoformat()
    env = {
        **os.environ,
        "CSO_DATABASE_URL": url,
        "CSO_JWT_SECRET": secret,
        "CSO_LOG_LEVEL": "warning",
        "CSO_RUN_PROJECTIONS": "0",
    }
    ours_env = {**env, "CSO_RUN_PROJECTIONS": "1" if args.projections == "app" else "0"}
    ours_port, bare_port = page._free_port(), page._free_port()
    uvicorn = [sys.executable, "-m", "uvicorn", "--host", page.HOST, "--no-access-log"]
    uvicorn += ["--log-level", "warning", "--workers", "1", "--factory"]
    ours_command = [*uvicorn, "--port", str(ours_port), "cso.app:app_from_env"]
    bench_dir = str(Path(__file__).resolve().parent.parent)
    bare_command = [*uvicorn, "--port", str(bare_port), "--app-dir", bench_dir]
    bare_command += ["bare:create_app"]
    cells = {
        "graphql": ("/graphql", record_bodies(projects, today), auth),
        "bare": ("/record", bare_record_bodies(projects, today), ""),
    }
    with (
        _worker(args.projections, env) as worker,
        page.serving(ours_command, ours_env, ours_port) as ours,
        page.serving(bare_command, env, bare_port) as theirs,
    ):
        servers = {"graphql": ours, "bare": theirs}

        async def measured(name: str, seconds: int) -> tuple[float, float, float]:
            """req/s, the server's and the worker's CPU ms per request."""
            path, bodies, token = cells[name]
            worker_cpu = page._cpu_seconds(worker) if worker else 0.0
            rate, cpu = await _round(servers[name], path, bodies, token, seconds)
            spent = page._cpu_seconds(worker) - worker_cpu if worker else 0.0
            return rate, cpu, 1000 * spent / max(rate * seconds, 1)

        async def rounds() -> dict[str, list[tuple[float, float, float]]]:
            for name in cells:  # warm-up
                await measured(name, 2)
            runs: dict[str, list[tuple[float, float, float]]] = {"graphql": [], "bare": []}
            for n in range(args.rounds):
                for name in cells:
                    runs[name].append(await measured(name, args.seconds))
                (a, a_cpu, a_w), (b, b_cpu, b_w) = runs["graphql"][-1], runs["bare"][-1]
                print(
                    f"round {n + 1}: graphql {a:7.1f} req/s {a_cpu:5.2f} ms CPU/req   "
                    f"bare {b:7.1f} req/s {b_cpu:5.2f} ms CPU/req   "
                    f"worker {a_w:4.2f} / {b_w:4.2f} ms CPU/req"
                )
            return runs

        runs = asyncio.run(rounds())
    rate = {k: statistics.median(r[0] for r in v) for k, v in runs.items()}
    cpu = {k: statistics.median(r[1] for r in v) for k, v in runs.items()}
    print(
        f"median: graphql {rate['graphql']:.1f} req/s ({cpu['graphql']:.2f} ms CPU/req), "
        f"bare {rate['bare']:.1f} req/s ({cpu['bare']:.2f} ms CPU/req); "
        f"ratio {rate['graphql'] / rate['bare']:.3f} by req/s, "
        f"{cpu['bare'] / cpu['graphql']:.3f} by CPU per request "
        f"(projections: {args.projections})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="drop and re-seed the database")
    parser.add_argument("--database", default="cso_mutation_profile")
    commands = parser.add_subparsers(dest="command", required=True)
    c = commands.add_parser("compare", help="the app against the bare route, with wrk")
    c.add_argument("--rounds", type=int, default=3)
    c.add_argument("--seconds", type=int, default=5)
    c.add_argument("--projections", choices=PROJECTIONS, default="app")
    c.set_defaults(run=compare)
    p = commands.add_parser("profile", help="in-process CPU per request, then a profile")
    p.add_argument("--requests", type=int, default=1000, help="per route and round")
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--profiler", choices=("pyinstrument", "cprofile", "none"), default="cprofile")
    p.add_argument("--sort", default="cumulative", help="cProfile: pstats sort key")
    p.add_argument("--limit", type=int, default=60, help="cProfile: rows printed")
    p.add_argument("--dump", help="cProfile: also write the stats to this file")
    p.add_argument("--show-all", action="store_true", help="pyinstrument: every frame")
    p.set_defaults(run=profile)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
