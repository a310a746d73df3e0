"""API latency benchmark: the recordService mutation and a 20-project page over real HTTP,
each beside an HTTP floor (GET /healthz) and a database floor (the same work as raw asyncpg).

Run by hand: `python bench/api.py [--scale F]`. It uses CSO_DATABASE_URL, else
CSO_TEST_DATABASE_URL, else the embedded PostgreSQL, and creates (then drops) a database of
its own there. It seeds the demo data, serves the real app with uvicorn (one worker,
projections on) in a child process on a free loopback port, waits for the projections to
catch up, and then sends a fixed number of requests per cell from one keep-alive
httpx.AsyncClient per simulated user. The load generator shares the machine with the server
and PostgreSQL, so absolute numbers include its own CPU cost; the HTTP floor pays the same.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import copy
import json
import os
import secrets
import signal
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import uvicorn.config
from common import when_the_server_has_room  # bench/ is on sys.path when run as a script

from cso.database import resolve_database_url, scratch_database
from cso.graphql.auth import issue_token
from cso.services.identity import Role
from cso.settings import Settings

CONCURRENCY = (1, 32)
REQUESTS = {1: 300, 32: 2_000}  # timed requests per cell
WARMUP = {1: 30, 32: 200}  # untimed requests per cell, at the same concurrency, first
HOST = "127.0.0.1"
SERVER_START_TIMEOUT = 60.0
CATCH_UP_TIMEOUT = 120.0
REQUEST_TIMEOUT = 30.0
SUPERVISOR_ID = "be0c0000-0000-4000-8000-000000000001"
VIEWER_ID = "be0c0000-0000-4000-8000-000000000002"

RECORD_SERVICE = """
mutation($input: RecordServiceInput!) {
  recordService(input: $input) { project { id version } serviceId consistencyToken }
}"""

PAGE = """
query {
  projects(first: 20) {
    totalCount
    edges { node { id name stage investment cso { name } enterprise { name }
                   requests { status overdue } } }
    pageInfo { endCursor hasNextPage }
  }
}"""

PROJECTS_TO_SERVE = """
query($after: String) {
  projects(first: 100, after: $after) {
    edges { node { id closed cso { id } } }
    pageInfo { endCursor hasNextPage }
  }
}"""

PROJECTION_STATUS = "{ projectionStatus { name lagEvents running failures lastError } }"

# The page's database floor: one statement, the same rows and names, the same total.
PAGE_SQL = """
SELECT p.id, p.name, p.stage, p.investment, o.name AS cso_name, e.name AS enterprise_name,
       count(*) OVER () AS total_count
FROM rm_projects p
LEFT JOIN rm_officers o ON o.id = p.cso_id
LEFT JOIN rm_enterprises e ON e.id = p.enterprise_id
ORDER BY p.created_at, p.id
LIMIT 20
"""

# The mutation's database floor: a single-row INSERT of what a service record says.
SCRATCH_TABLE = """
CREATE TABLE bench_scratch (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id  uuid   NOT NULL,
  kind        text   NOT NULL,
  summary     text   NOT NULL,
  occurred_on date   NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
)
"""
SCRATCH_INSERT = """
INSERT INTO bench_scratch (project_id, kind, summary, occurred_on) VALUES ($1, $2, $3, $4)
"""

# Application.execute logs this (at INFO) each time it re-runs a command after a conflict.
RETRY_LINE = "; retrying ("

Step = Callable[[int], Awaitable[str]]  # request number -> outcome ("ok" or what went wrong)


@dataclass
class Cell:
    label: str
    clients: int
    seconds: float
    latencies: list[float]
    outcomes: collections.Counter[str] = field(default_factory=collections.Counter)
    retries: int | None = None  # the server's conflict retries during the timed requests

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]

    @property
    def failures(self) -> int:
        return sum(n for outcome, n in self.outcomes.items() if outcome != "ok")


@dataclass
class Server:
    url: str
    secret: str
    process: asyncio.subprocess.Process
    log: Path

    def conflict_retries(self) -> int:
        """How many times the server has re-run a command after a concurrent write."""
        return self.log.read_text(errors="replace").count(RETRY_LINE)

    def headers(self, role: Role, sub: str) -> dict[str, str]:
        token = issue_token(self.secret, sub=sub, role=role, name="Bench", dept="Bench")
        return {"Authorization": f"Bearer {token}"}


# -- set-up -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


async def seed_demo_data(url: str) -> tuple[str, float]:
    """Migrate and seed through the use cases, projections off (as `cso seed` does)."""
    from cso.app import open_runtime
    from cso.seed import seed

    settings = Settings.from_env(
        {**os.environ, "CSO_DATABASE_URL": url, "CSO_RUN_PROJECTIONS": "0"}
    )
    started = time.perf_counter()
    async with open_runtime(settings) as runtime:
        summary = await seed(runtime.application, today=runtime.today())
    return str(summary), time.perf_counter() - started


@contextlib.asynccontextmanager
async def serving(
    url: str, log_dir: Path, extra_env: dict[str, str] | None = None
) -> AsyncIterator[Server]:
    """The real app under uvicorn in a child process: one worker, projections on;
    `extra_env` adds settings (CSO_RESPONSE_CACHE, say)."""
    port = _free_port()
    secret = secrets.token_urlsafe(32)
    env = {
        **os.environ,
        "CSO_DATABASE_URL": url,
        "CSO_JWT_SECRET": secret,
        "CSO_RUN_PROJECTIONS": "1",
        "CSO_LOG_LEVEL": "warning",
        **(extra_env or {}),
    }
    log = log_dir / "server.log"
    log_config = log_dir / "logging.json"
    log_config.write_text(json.dumps(_server_logging()))
    command = [
        sys.executable, "-m", "uvicorn", "cso.app:create_app", "--factory",
        "--host", HOST, "--port", str(port), "--workers", "1",
        "--log-config", str(log_config), "--log-level", "warning", "--no-access-log",
        "--lifespan", "on",
    ]  # fmt: skip
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=sink, stderr=asyncio.subprocess.STDOUT
        )
    server = Server(f"http://{HOST}:{port}", secret, process, log)
    try:
        await _until_ready(server)
        yield server
    finally:
        await _stop(process)


@contextlib.asynccontextmanager
async def projection_worker(url: str, log_dir: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """`cso projections run` in a child process on `url` until the block ends (SIGTERM):
    the steady deployment of docs/OPERATIONS.md, API processes beside it serving with
    CSO_RUN_PROJECTIONS=0. Its output goes to `log_dir`/projections.log."""
    env = {**os.environ, "CSO_DATABASE_URL": url, "CSO_LOG_LEVEL": "warning"}
    command = [sys.executable, "-c", "from cso.cli import app; app()", "projections", "run"]
    with (log_dir / "projections.log").open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            *command, env={**env, "CSO_RUN_PROJECTIONS": "1"}, stdout=sink,
            stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
    try:
        yield process
    finally:
        await _stop(process)


def _server_logging() -> dict[str, Any]:
    """uvicorn's own logging, plus the app's warnings and its conflict retries (INFO)."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"]["cso"] = {"handlers": ["default"], "level": "WARNING", "propagate": False}
    config["loggers"]["cso.services.application"] = {"level": "INFO"}
    return config


async def _until_ready(server: Server) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SERVER_START_TIMEOUT
    async with httpx.AsyncClient(base_url=server.url, timeout=2, trust_env=False) as client:
        while True:
            if server.process.returncode is not None:
                raise RuntimeError(f"the server exited:\n{server.log.read_text()[-2000:]}")
            with contextlib.suppress(httpx.TransportError):
                if (await client.get("/readyz")).status_code == 200:
                    return
            if loop.time() > deadline:
                raise RuntimeError(f"the server was not ready in {SERVER_START_TIMEOUT:g} s")
            await asyncio.sleep(0.1)


async def _stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM (uvicorn shuts down gracefully), then SIGKILL after 15 s."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
    await process.wait()


async def _graphql(
    client: httpx.AsyncClient, query: str, headers: dict[str, str], **variables: Any
) -> Any:
    payload = {"query": query, "variables": variables}
    response = await client.post("/graphql", json=payload, headers=headers)
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"{response.status_code}: {body}")
    return body["data"]


async def wait_for_projections(server: Server) -> float:
    """Polls projectionStatus (as a supervisor) until every projection has lag 0."""
    headers = server.headers(Role.SUPERVISOR, SUPERVISOR_ID)
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=server.url, timeout=10, trust_env=False) as client:
        while True:
            statuses = (await _graphql(client, PROJECTION_STATUS, headers))["projectionStatus"]
            broken = [s for s in statuses if s["lastError"] or s["failures"]]
            if broken:
                raise RuntimeError(f"a projection failed: {broken}")
            if all(s["lagEvents"] == 0 for s in statuses):
                return time.perf_counter() - started
            if time.perf_counter() - started > CATCH_UP_TIMEOUT:
                raise RuntimeError(f"projections still behind: {statuses}")
            await asyncio.sleep(0.2)


async def projects_to_serve(server: Server) -> list[str]:
    """Seeded projects with a CSO that are not closed: recordService accepts these."""
    headers = server.headers(Role.SUPERVISOR, SUPERVISOR_ID)
    found: list[str] = []
    after = None
    async with httpx.AsyncClient(base_url=server.url, timeout=10, trust_env=False) as client:
        while True:
            page = (await _graphql(client, PROJECTS_TO_SERVE, headers, after=after))["projects"]
            found += [
                edge["node"]["id"]
                for edge in page["edges"]
                if not edge["node"]["closed"] and edge["node"]["cso"] is not None
            ]
            if not page["pageInfo"]["hasNextPage"]:
                return found
            after = page["pageInfo"]["endCursor"]


# -- measuring ----------------------------------------------------------------------------


async def run_cell(
    label: str, clients: int, steps: list[Step], retries: Callable[[], int] | None = None
) -> Cell:
    """Warm up, then send REQUESTS[clients] requests from `clients` concurrent users."""
    assert len(steps) == clients

    async def drive(total: int, latencies: list[float], outcomes: collections.Counter[str]) -> None:
        issued = 0

        async def user(step: Step) -> None:
            nonlocal issued
            while issued < total:
                number = issued
                issued += 1
                started = time.perf_counter()
                try:
                    outcome = await step(number)
                except Exception as exc:  # counted and reported, never hidden
                    outcome = f"exception {type(exc).__name__}"
                latencies.append(time.perf_counter() - started)
                outcomes[outcome] += 1

        await asyncio.gather(*(user(step) for step in steps))

    warm_outcomes: collections.Counter[str] = collections.Counter()
    await drive(WARMUP[clients], [], warm_outcomes)
    latencies: list[float] = []
    outcomes: collections.Counter[str] = collections.Counter()
    retries_before = retries() if retries else 0
    started = time.perf_counter()
    await drive(REQUESTS[clients], latencies, outcomes)
    cell = Cell(label, clients, time.perf_counter() - started, latencies, outcomes)
    if retries:
        cell.retries = retries() - retries_before
    for outcome, n in warm_outcomes.items():
        if outcome != "ok":
            cell.outcomes[f"(warm-up) {outcome}"] += n
    return cell


def _graphql_outcome(response: httpx.Response) -> str:
    if response.status_code >= 500:
        return f"HTTP {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}, not JSON"
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors:
        codes = sorted({str((e.get("extensions") or {}).get("code", "no code")) for e in errors})
        return "error " + "+".join(codes)
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    return "ok"


def healthz_steps(clients: list[httpx.AsyncClient]) -> list[Step]:
    def step_for(client: httpx.AsyncClient) -> Step:
        async def step(number: int) -> str:
            response = await client.get("/healthz")
            return "ok" if response.status_code == 200 else f"HTTP {response.status_code}"

        return step

    return [step_for(client) for client in clients]


def page_steps(clients: list[httpx.AsyncClient], server: Server) -> list[Step]:
    headers = server.headers(Role.VIEWER, VIEWER_ID)
    payload = {"query": PAGE, "variables": {}}

    def step_for(client: httpx.AsyncClient) -> Step:
        async def step(number: int) -> str:
            response = await client.post("/graphql", json=payload, headers=headers)
            outcome = _graphql_outcome(response)
            if outcome == "ok" and len(response.json()["data"]["projects"]["edges"]) != 20:
                return "short page"
            return outcome

        return step

    return [step_for(client) for client in clients]


def record_service_steps(
    clients: list[httpx.AsyncClient], server: Server, projects: list[str], today: str
) -> list[Step]:
    headers = server.headers(Role.SUPERVISOR, SUPERVISOR_ID)

    def step_for(client: httpx.AsyncClient) -> Step:
        async def step(number: int) -> str:
            fields = {
                "projectId": projects[number % len(projects)],
                "kind": "VISIT",
                "summary": f"基准测试走访 #{number}",
                "occurredOn": today,
            }
            response = await client.post(
                "/graphql",
                json={"query": RECORD_SERVICE, "variables": {"input": fields}},
                headers=headers,
            )
            return _graphql_outcome(response)

        return step

    return [step_for(client) for client in clients]


def page_sql_steps(pool: asyncpg.Pool[Any], clients: int) -> list[Step]:
    async def step(number: int) -> str:
        rows = await pool.fetch(PAGE_SQL)
        return "ok" if len(rows) == 20 else "short page"

    return [step] * clients


def insert_steps(
    pool: asyncpg.Pool[Any], clients: int, projects: list[str], today: str
) -> list[Step]:
    ids = [uuid.UUID(p) for p in projects]
    on = datetime.strptime(today, "%Y-%m-%d").date()

    async def step(number: int) -> str:
        await pool.execute(
            SCRATCH_INSERT, ids[number % len(ids)], "VISIT", f"基准测试走访 #{number}", on
        )
        return "ok"

    return [step] * clients


@contextlib.asynccontextmanager
async def users(server: Server, count: int) -> AsyncIterator[list[httpx.AsyncClient]]:
    """One keep-alive HTTP/1.1 client per simulated user."""
    async with contextlib.AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=server.url, timeout=REQUEST_TIMEOUT, trust_env=False)
            )
            for _ in range(count)
        ]


@dataclass
class Level:
    clients: int
    healthz: Cell
    page: Cell
    page_sql: Cell
    record: Cell
    insert: Cell
    catch_up_seconds: float


async def measure(server: Server, url: str, projects: list[str], today: str) -> list[Level]:
    levels = []
    for count in CONCURRENCY:
        pool = await when_the_server_has_room(
            partial(asyncpg.create_pool, url, min_size=count, max_size=count)
        )
        try:
            async with users(server, count) as clients:
                healthz = await run_cell("GET /healthz", count, healthz_steps(clients))
                page = await run_cell("projects page", count, page_steps(clients, server))
                page_sql = await run_cell("page SQL", count, page_sql_steps(pool, count))
                record = await run_cell(
                    "recordService",
                    count,
                    record_service_steps(clients, server, projects, today),
                    server.conflict_retries,
                )
                catch_up = await wait_for_projections(server)
                insert = await run_cell("INSERT", count, insert_steps(pool, count, projects, today))
        finally:
            await pool.close()
        levels.append(Level(count, healthz, page, page_sql, record, insert, catch_up))
    return levels


# -- report -------------------------------------------------------------------------------


def _row(label: str, cell: Cell, subject: Cell | None) -> str:
    text = (
        f"{cell.clients:>7}  {label:<40} {len(cell.latencies):>6} "
        f"{cell.percentile(50) * 1000:>8.2f} {cell.percentile(95) * 1000:>8.2f} "
        f"{cell.percentile(99) * 1000:>8.2f} {cell.per_second:>9,.0f} {cell.failures:>6}"
    )
    if subject is not None:
        text += (
            f"   {subject.percentile(50) / cell.percentile(50):>6.1f}x"
            f" {subject.percentile(99) / cell.percentile(99):>6.1f}x"
            f" {cell.per_second / subject.per_second:>6.1f}x"
        )
    return text


def _table(title: str, rows: list[tuple[str, Cell, Cell | None]]) -> None:
    print(title)
    header = (
        f"{'clients':>7}  {'path':<40} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'req/s':>9} {'errors':>6}   {'p50 x':>7} {'p99 x':>7} {'tput x':>7}"
    )
    print(header)
    print("-" * len(header))
    for label, cell, subject in rows:
        print(_row(label, cell, subject))
    print()


def print_report(header: list[str], levels: list[Level]) -> None:
    for line in header:
        print(line)
    print()
    print("Ratio columns on floor rows: the GraphQL path's p50 and p99 over the floor's, and")
    print("the floor's throughput over the GraphQL path's (how many times slower the API is).")
    print()
    page_rows: list[tuple[str, Cell, Cell | None]] = []
    record_rows: list[tuple[str, Cell, Cell | None]] = []
    for level in levels:
        page_rows += [
            ("projects(first: 20) page, viewer", level.page, None),
            ("  HTTP floor: GET /healthz", level.healthz, level.page),
            ("  DB floor: one SELECT, 3-table join", level.page_sql, level.page),
        ]
        record_rows += [
            ("recordService mutation, supervisor", level.record, None),
            ("  HTTP floor: GET /healthz", level.healthz, level.record),
            ("  DB floor: single-row INSERT", level.insert, level.record),
        ]
    _table("Query: a 20-project page", page_rows)
    _table("Mutation: recordService", record_rows)
    for level in levels:
        print(
            f"{level.clients:>2} client(s): recordService re-run after a concurrent write "
            f"{level.record.retries} time(s) in the server (retried, not failed); projections "
            f"caught up {level.catch_up_seconds:.2f} s after the last one"
        )
    problems = [
        (level.clients, cell.label, outcome, n)
        for level in levels
        for cell in (level.healthz, level.page, level.page_sql, level.record, level.insert)
        for outcome, n in sorted(cell.outcomes.items())
        if outcome != "ok"
    ]
    print()
    if problems:
        print("Failed requests (counted in the table; latencies include them):")
        for clients, label, outcome, n in problems:
            print(f"  {clients:>2} client(s)  {label:<16} {outcome}: {n}")
    else:
        print("Failed requests: none (no GraphQL errors, no 5xx, no transport errors)")


def _server_log_findings(log: Path) -> Iterator[str]:
    text = log.read_text(errors="replace")
    tracebacks = text.count("Traceback (most recent call last)")
    lines = [line for line in text.splitlines() if line.strip() and RETRY_LINE not in line]
    if tracebacks or lines:
        yield f"server log: {len(lines)} line(s), {tracebacks} traceback(s); the last ones:"
        yield from (f"  | {line}" for line in lines[-15:])
    else:
        yield "server log: nothing at WARNING or above, no tracebacks"


# -- main ---------------------------------------------------------------------------------


async def main(scale: float) -> None:
    for clients in CONCURRENCY:
        REQUESTS[clients] = max(20, round(REQUESTS[clients] * scale))
        WARMUP[clients] = max(clients, round(WARMUP[clients] * scale))
    load_before = os.getloadavg()[0]
    configured = os.environ.get("CSO_DATABASE_URL") or os.environ.get("CSO_TEST_DATABASE_URL")
    settings = Settings.from_env()
    server_url = resolve_database_url(configured, settings.data_dir)
    if urlsplit(server_url).hostname not in (None, "", "localhost", HOST, "::1"):
        raise SystemExit("the benchmark runs against a loopback PostgreSQL only")
    findings: list[str] = []
    async with scratch_database(server_url, "cso_bench_api") as url:
        summary, seed_seconds = await seed_demo_data(url)
        conn = await asyncpg.connect(url)
        try:
            pg_version = await conn.fetchval("SHOW server_version")
            await conn.execute(SCRATCH_TABLE)
        finally:
            await conn.close()
        today = datetime.now(ZoneInfo(settings.timezone)).date().isoformat()
        with tempfile.TemporaryDirectory(prefix="cso-bench-") as log_dir:
            async with serving(url, Path(log_dir)) as server:
                catch_up = await wait_for_projections(server)
                projects = await projects_to_serve(server)
                if not projects:
                    raise RuntimeError("the seed left no open project with a CSO")
                levels = await measure(server, url, projects, today)
            findings += _server_log_findings(server.log)
    header = [
        f"PostgreSQL {pg_version}; Python {sys.version.split()[0]}; httpx {httpx.__version__}; "
        f"{os.cpu_count()} CPU(s) shared by client, server and database; load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after (1 min)",
        f"seeded in {seed_seconds:.1f} s: {summary}",
        f"projections caught up {catch_up:.1f} s after the server started",
        f"recordService spread over {len(projects)} open projects with a CSO, occurredOn {today}",
        "requests per cell: "
        + ", ".join(f"{REQUESTS[c]:,} at {c} (after {WARMUP[c]} warm-up)" for c in CONCURRENCY)
        + "; DB floors use an asyncpg pool of one connection per client",
    ]
    print_report(header, levels)
    for line in findings:
        print(line)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply the requests per cell (e.g. 0.1)"
    )
    started = time.perf_counter()
    asyncio.run(main(parser.parse_args().scale))
    print(f"total {time.perf_counter() - started:.0f} s")
