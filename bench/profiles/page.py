"""The projects page, measured and profiled: the read path without a response cache.

    python bench/profiles/page.py compare [--workers N] [--rounds R] [--seconds S]
    python bench/profiles/page.py profile [--requests N] [--concurrency C] [--html FILE]

`compare` serves the real app (uvicorn, projections on) and a bare Starlette + asyncpg route
that answers the same JSON from one statement, and loads each with wrk (Debian's `wrk`),
32 connections, in interleaved rounds; it prints each round's req/s and the ratio of the
medians, which is what a change to the read path is judged by (absolute figures on a shared
machine are noise, the ratio in one run is not). `profile` drives the app's ASGI callable in
this process (no sockets, no uvicorn) under pyinstrument (`pip install pyinstrument`) and
prints where the time goes, with the share of wall time the garbage collector took.

To measure another checkout (say, main) against this one in the same conditions, run
`compare` from outside both with PYTHONPATH=<that checkout>: `python -m uvicorn` puts the
working directory first on the path, so a run from inside a checkout serves that checkout.
`profile` the same way (`python <that checkout>/bench/profiles/page.py profile` from outside
both, PYTHONPATH=<that checkout>), alternating the two runs: CPU milliseconds per page, one
against the other, is the figure; either alone moves with the machine's load.

Both use CSO_DATABASE_URL, else CSO_TEST_DATABASE_URL (a server URL): a database named
`cso_page_profile` there is created and seeded with the demo district on first use, and kept
for later runs (`--fresh` drops it first).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cso.database import with_database
from cso.graphql.auth import issue_token
from cso.services.identity import Role
from cso.settings import Settings

DATABASE = "cso_page_profile"
HOST = "127.0.0.1"
VIEWER = "be0c0000-0000-4000-8000-000000000002"
PAGE = (
    "{ projects(first: 20) { edges { node { id name stage cso { name } enterprise { name } "
    "requests { status } } } } }"
)

# The bare route's one statement: the same 20 projects, names and request statuses.
BARE_SQL = """
SELECT p.id, p.name, p.stage, o.name AS cso_name, e.name AS enterprise_name,
       ARRAY(SELECT r.status FROM rm_requests r WHERE r.project_id = p.id
             ORDER BY r.seq, r.id) AS statuses
FROM rm_projects p
LEFT JOIN rm_officers o ON o.id = p.cso_id
LEFT JOIN rm_enterprises e ON e.id = p.enterprise_id
ORDER BY p.created_at, p.id
LIMIT 20
"""


def server_url() -> str:
    url = os.environ.get("CSO_DATABASE_URL") or os.environ.get("CSO_TEST_DATABASE_URL")
    if not url:
        sys.exit("set CSO_DATABASE_URL or CSO_TEST_DATABASE_URL to a PostgreSQL server URL")
    return url


async def prepared_database(server: str, fresh: bool, database: str = DATABASE) -> str:
    """The URL of `database` on `server`, migrated, seeded with the demo district and
    projected (made if absent; dropped first when `fresh`). Shared by the other profiles."""
    from cso.app import open_runtime
    from cso.seed import database_is_empty, seed

    admin = await asyncpg.connect(server)
    try:
        if fresh:
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    url = with_database(server, database)
    settings = Settings.from_env({"CSO_DATABASE_URL": url, "CSO_JWT_SECRET": "x" * 32})
    async with open_runtime(settings) as runtime:
        if await database_is_empty(runtime.pool):
            print("seeding the demo district…", file=sys.stderr)
            await seed(runtime.application, today=runtime.today())
        token = (await runtime.store.newest()).token()
        while not await runtime.projections.wait_for(token, 5.0):
            print("projecting…", file=sys.stderr)
    return url


# -- the bare peer ----------------------------------------------------------------------------


def bare_app(url: str) -> Starlette:
    """Starlette + asyncpg: the page's JSON from one statement, no GraphQL, no auth."""
    pools: dict[str, asyncpg.Pool[Any]] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pools["db"] = await asyncpg.create_pool(url, min_size=2, max_size=10)
        yield
        await pools["db"].close()

    async def page(request: Request) -> Response:
        await request.body()
        rows = await pools["db"].fetch(BARE_SQL)
        edges = [
            {
                "node": {
                    "id": str(row["id"]),
                    "name": row["name"],
                    "stage": row["stage"],
                    "cso": None if row["cso_name"] is None else {"name": row["cso_name"]},
                    "enterprise": None
                    if row["enterprise_name"] is None
                    else {"name": row["enterprise_name"]},
                    "requests": [{"status": status} for status in row["statuses"]],
                }
            }
            for row in rows
        ]
        return JSONResponse({"data": {"projects": {"edges": edges}}})

    return Starlette(routes=[Route("/graphql", page, methods=["POST"])], lifespan=lifespan)


# -- compare ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its descendants (uvicorn's workers), from
    /proc: what a request costs the server, whatever else the machine runs meanwhile."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_cpu_seconds(int(child)) for child in children)


def _rss_megabytes(pid: int) -> float:
    """Resident memory of a process and its descendants, in MB (VmRSS from /proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = next(
        (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
    )
    return own / 1024 + sum(_rss_megabytes(int(child)) for child in children)


@dataclass
class Served:
    base: str
    pid: int


@contextlib.contextmanager
def serving(command: list[str], env: dict[str, str], port: int) -> Iterator[Served]:
    log = tempfile.TemporaryFile()  # noqa: SIM115 - read after the server exits
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                sys.exit(f"server exited:\n{log.read().decode(errors='replace')[-3000:]}")
            with contextlib.suppress(OSError), socket.create_connection((HOST, port), 0.2):
                break
            if time.monotonic() > deadline:
                sys.exit("server did not start in 60 s")
            time.sleep(0.2)
        yield Served(base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _post(base: str, token: str | None) -> dict[str, Any]:
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    deadline = time.monotonic() + 60
    while True:
        response = httpx.post(f"{base}/graphql", json={"query": PAGE}, headers=headers)
        if response.status_code == 200 or time.monotonic() > deadline:
            body: dict[str, Any] = response.json()
            return body
        time.sleep(0.2)  # readiness: the app answers 503 until its read models hold the log


def _wrk(base: str, token: str | None, seconds: int, connections: int) -> tuple[float, int]:
    """wrk's req/s and its count of requests."""
    body = json.dumps(json.dumps({"query": PAGE}))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f"wrk.method = 'POST'\nwrk.body = {body}\n")
        script.write("wrk.headers['Content-Type'] = 'application/json'\n")
        if token:
            script.write(f"wrk.headers['Authorization'] = 'Bearer {token}'\n")
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "-s",
                script.name,
                base + "/graphql",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    if "Non-2xx" in out:
        sys.exit(f"wrk saw errors:\n{out}")
    line = next(line for line in out.splitlines() if line.startswith("Requests/sec:"))
    count = next(line for line in out.splitlines() if " requests in " in line)
    return float(line.split()[1]), int(count.split()[0])


def _round(server: Served, token: str | None, args: argparse.Namespace) -> tuple[float, float]:
    """One wrk run: req/s, and the server's CPU milliseconds per request."""
    cpu = _cpu_seconds(server.pid)
    rate, count = _wrk(server.base, token, args.seconds, args.connections)
    return rate, 1000 * (_cpu_seconds(server.pid) - cpu) / max(count, 1)


def compare(args: argparse.Namespace) -> None:
    url = asyncio.run(prepared_database(server_url(), args.fresh))
    secret = secrets.token_urlsafe(32)
    token = issue_token(secret, sub=VIEWER, role=Role.VIEWER, name="Bench", dept="Bench")
    env = {
        **os.environ,
        "CSO_DATABASE_URL": url,
        "CSO_JWT_SECRET": secret,
        "CSO_LOG_LEVEL": "warning",
        # The caller's path first (to measure another checkout), then this directory (`page`).
        "PYTHONPATH": os.pathsep.join(
            p for p in (os.environ.get("PYTHONPATH"), str(Path(__file__).parent)) if p
        ),
    }
    cso_port, bare_port = _free_port(), _free_port()
    uvicorn = [sys.executable, "-m", "uvicorn", "--host", HOST, "--no-access-log"]
    uvicorn += ["--log-level", "warning"]
    cso_command = [*uvicorn, "--port", str(cso_port), "--workers", str(args.workers)]
    cso_command += ["--factory", "cso.app:app_from_env"]
    bare_command = [*uvicorn, "--port", str(bare_port), "--workers", str(args.workers)]
    bare_command += ["--factory", "page:bare_from_env"]
    with serving(cso_command, env, cso_port) as cso, serving(bare_command, env, bare_port) as bare:
        ours, theirs = _post(cso.base, token), _post(bare.base, None)
        if ours != theirs:
            sys.exit(f"the answers differ:\n{json.dumps(ours)[:600]}\n{json.dumps(theirs)[:600]}")
        for server, tok in ((cso, token), (bare, None)):  # warm-up
            _wrk(server.base, tok, 2, args.connections)
        rounds: dict[str, list[tuple[float, float]]] = {"cso": [], "bare": []}
        for n in range(args.rounds):
            rounds["cso"].append(_round(cso, token, args))
            rounds["bare"].append(_round(bare, None, args))
            (a, a_cpu), (b, b_cpu) = rounds["cso"][-1], rounds["bare"][-1]
            print(
                f"round {n + 1}: cso {a:8.1f} req/s {a_cpu:6.2f} ms CPU/req   "
                f"bare {b:8.1f} req/s {b_cpu:6.2f} ms CPU/req"
            )
        rss = _rss_megabytes(cso.pid)
    rate = {k: statistics.median(r for r, _ in v) for k, v in rounds.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in rounds.items()}
    print(
        f"median: cso {rate['cso']:.1f} req/s ({cpu['cso']:.2f} ms CPU/req), "
        f"bare {rate['bare']:.1f} req/s ({cpu['bare']:.2f} ms CPU/req); "
        f"ratio {rate['cso'] / rate['bare']:.3f} by req/s, "
        f"{cpu['bare'] / cpu['cso']:.3f} by CPU per request "
        f"(workers {args.workers}, {args.connections} connections); "
        f"the app's resident memory at the end: {rss:.0f} MB"
    )


def bare_from_env() -> Starlette:
    """uvicorn's factory for the bare route (this module is on PYTHONPATH as `page`)."""
    return bare_app(os.environ["CSO_DATABASE_URL"])


# -- profile ----------------------------------------------------------------------------------


class GcClock:
    """Wall time spent inside the garbage collector, from gc.callbacks."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = [0, 0, 0]
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections[info["generation"]] += 1


async def _asgi_post(app: Any, state: dict[str, Any], body: bytes, token: str) -> bytes:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"localhost"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"authorization", f"Bearer {token}".encode()),
        ],
        "client": (HOST, 1),
        "server": (HOST, 80),
        "state": dict(state),
    }
    sent = False
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return b"".join(chunks)


async def _profiled(args: argparse.Namespace) -> None:
    from cso.app import create_app, open_runtime

    url = await prepared_database(server_url(), args.fresh)
    secret = secrets.token_urlsafe(32)
    settings = Settings.from_env(
        {"CSO_DATABASE_URL": url, "CSO_JWT_SECRET": secret, "CSO_RUN_PROJECTIONS": "0"}
    )
    token = issue_token(secret, sub=VIEWER, role=Role.VIEWER, name="Bench", dept="Bench")
    app = create_app(settings)
    body = json.dumps({"query": PAGE}).encode()
    async with open_runtime(settings) as runtime:
        state = {"runtime": runtime}
        first = json.loads(await _asgi_post(app, state, body, token))
        if "errors" in first:
            sys.exit(f"the page failed: {first['errors']}")

        async def client(n: int) -> None:
            for _ in range(n):
                await _asgi_post(app, state, body, token)

        await asyncio.gather(*(client(10) for _ in range(args.concurrency)))  # warm-up
        if args.gc_threshold:
            gc.set_threshold(*(int(n) for n in args.gc_threshold.split(",")))
        if args.gc_freeze:
            gc.collect()
            gc.freeze()
        clock = GcClock()
        gc.callbacks.append(clock)
        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(async_mode="disabled", interval=0.0005)
            profiler.start()
        each = args.requests // args.concurrency
        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(client(each) for _ in range(args.concurrency)))
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        if profiler is not None:
            profiler.stop()
        gc.callbacks.remove(clock)
    done = each * args.concurrency
    print(
        f"{done} pages in {wall:.2f} s: {done / wall:.1f} pages/s in-process, "
        f"{1000 * cpu / done:.2f} ms CPU each; gc {100 * clock.seconds / wall:.1f}% of wall "
        f"(collections by generation {clock.collections})"
    )
    if profiler is not None:
        print_profile(profiler, args.html, args.show_all)


def print_profile(profiler: Any, html: str | None, show_all: bool) -> None:
    """Print pyinstrument's text report of `profiler` (also its HTML to `html` if given).
    Shared by the other profiles."""
    if html:
        with open(html, "w") as out:
            out.write(profiler.output_html())
    print(profiler.output_text(unicode=False, color=False, show_all=show_all))


def run_fast(main: Any) -> None:
    """Run the coroutine `main` on uvloop when installed (as uvicorn serves), else asyncio's."""
    try:
        import uvloop

        uvloop.run(main)
    except ImportError:
        asyncio.run(main)


def profile(args: argparse.Namespace) -> None:
    run_fast(_profiled(args))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="drop and re-seed the database")
    commands = parser.add_subparsers(dest="command", required=True)
    c = commands.add_parser("compare", help="the app against the bare route, with wrk")
    c.add_argument("--workers", type=int, default=1)
    c.add_argument("--rounds", type=int, default=3)
    c.add_argument("--seconds", type=int, default=5)
    c.add_argument("--connections", type=int, default=32)
    c.set_defaults(run=compare)
    p = commands.add_parser("profile", help="in-process, under pyinstrument")
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--no-profile", dest="profile", action="store_false")
    p.add_argument("--gc-freeze", action="store_true", help="gc.freeze() after warm-up")
    p.add_argument("--gc-threshold", help="gc.set_threshold(a, b, c) after warm-up: a,b,c")
    p.add_argument("--show-all", action="store_true", help="pyinstrument: every frame")
    p.add_argument("--html", help="also write pyinstrument's HTML report here")
    p.set_defaults(run=profile)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
