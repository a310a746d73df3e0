"""Issue 6's figures, run once and printed side by side: write throughput and CONFLICTs at
32 clients on one project vs spread over many (and through two API processes); recordService
on a 10,000-event project vs a new one, warm and right after a restart; that project's
snapshot size; `project(version:)` mid-history vs the current read; projection lag during and
2 s after a sustained 32-client write load.

Run by hand: `python bench/shape.py [--seconds 60] [--quick]`. Like bench/api.py (whose
server helpers it reuses) it works on a scratch database of its own on a loopback
PostgreSQL, seeds the demo district, then grows one project to 10,000 events in-process
(through the repository, 100 events per append, snapshots as live writes take them) before
it serves the real app under uvicorn. Every request loop is bounded by a count and a time.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import httpx
from api import (  # bench/ is on sys.path when run as a script
    HOST,
    RECORD_SERVICE,
    SUPERVISOR_ID,
    Server,
    _graphql_outcome,
    _server_log_findings,
    seed_demo_data,
    serving,
    users,
    wait_for_projections,
)
from common import when_the_server_has_room

from cso.app import open_runtime
from cso.database import resolve_database_url, scratch_database
from cso.domain.enums import ServiceKind
from cso.domain.project import Project
from cso.eventstore import Metadata
from cso.projections import ALL_PROJECTIONS
from cso.projections import sql as projection_sql
from cso.services.identity import Role
from cso.settings import Settings

CLIENTS = 32
BIG_EVENTS = 10_000
APPEND_EVENTS = 100  # events per append while growing the big project
MAX_REQUESTS_PER_SECOND = 2_000  # a loop's count bound: far above what the server answers
CAUGHT_UP_WAIT = 120.0  # at most this long for the projections to catch up after the load
DISTRICT = ZoneInfo(Settings.from_env().timezone)  # whose "today" occurredOn may not pass

PROJECT_READ = """
query($id: ID!, $version: Int) { project(id: $id, version: $version) { id version stage name } }
"""

STREAM_PROJECTS = "SELECT DISTINCT stream_id FROM events WHERE stream_type = 'Project'"
SNAPSHOT_SIZES = """
SELECT count(*) AS snapshots, coalesce(sum(octet_length(state::text)), 0) AS total_bytes,
       (SELECT octet_length(state::text) FROM snapshots WHERE stream_id = $1
         ORDER BY version DESC LIMIT 1) AS latest_bytes
FROM snapshots WHERE stream_id = $1
"""


@dataclass
class Load:
    """What a bounded write load got back: outcomes by kind, and each request's latency."""

    label: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    outcomes: collections.Counter[str] = field(default_factory=collections.Counter)

    @property
    def ok_per_second(self) -> float:
        return self.outcomes["ok"] / self.seconds if self.seconds else 0.0

    @property
    def conflicts(self) -> int:
        return self.outcomes["error CONFLICT"]

    @property
    def others(self) -> int:
        return sum(self.outcomes.values()) - self.outcomes["ok"] - self.conflicts


@dataclass
class Lag:
    """Projection lag samples (the worst projection's) during a load and after it."""

    during: list[tuple[int, float]] = field(default_factory=list)  # (events, seconds)
    after_two_seconds: tuple[int, float] = (0, 0.0)
    caught_up_after: float | None = None  # seconds after the load stopped; None: not in time


def pct(values: list[float], p: int) -> float:
    """The p-th percentile, in milliseconds."""
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] * 1000


# -- set-up -------------------------------------------------------------------------------


async def grow_big_project(url: str, events: int) -> tuple[UUID, list[UUID]]:
    """Seeded projects that take a service record; the first grown to `events` events."""
    settings = Settings.from_env(
        {**os.environ, "CSO_DATABASE_URL": url, "CSO_RUN_PROJECTIONS": "0"}
    )
    async with open_runtime(settings) as runtime:
        repository, today = runtime.repository, runtime.today()
        ids = [row[0] for row in await runtime.pool.fetch(STREAM_PROJECTS)]
        open_ones: list[UUID] = []
        for project_id in sorted(ids):
            project = await repository.get(project_id, Project)
            with contextlib.suppress(Exception):  # closed, or without a CSO: not for writes
                project.record_service(ServiceKind.VISIT, "基准测试", today, today)
                open_ones.append(project_id)
        if len(open_ones) < 3:
            raise RuntimeError(f"the seed left {len(open_ones)} open projects with a CSO")
        big = await repository.get(open_ones[0], Project)
        while big.version < events:
            for n in range(min(APPEND_EVENTS, events - big.version)):
                big.record_service(ServiceKind.VISIT, f"历史走访 #{big.version + n}", today, today)
            await repository.save(big, metadata=Metadata())
        return open_ones[0], open_ones[1:]


@contextlib.asynccontextmanager
async def serving_when_room(url: str, log_dir: Path) -> AsyncIterator[Server]:
    """bench/api.py's server, started again for up to a minute while the PostgreSQL server,
    shared with other clients, has no connection slot to spare."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    async with contextlib.AsyncExitStack() as stack:
        while True:
            try:
                server = await stack.enter_async_context(serving(url, log_dir))
                break
            except RuntimeError as exc:
                if "too many clients" not in str(exc) or loop.time() > deadline:
                    raise
                await asyncio.sleep(1.0)
        yield server


async def record(client: httpx.AsyncClient, server: Server, project: UUID, n: int) -> str:
    fields = {
        "projectId": str(project),
        "kind": "VISIT",
        "summary": f"基准测试走访 #{n}",
        "occurredOn": datetime.now(DISTRICT).date().isoformat(),
    }
    response = await client.post(
        "/graphql",
        json={"query": RECORD_SERVICE, "variables": {"input": fields}},
        headers=server.headers(Role.SUPERVISOR, SUPERVISOR_ID),
    )
    return _graphql_outcome(response)


# -- measuring ----------------------------------------------------------------------------


async def write_load(
    label: str, servers: list[Server], projects: list[UUID], seconds: float
) -> Load:
    """CLIENTS users, spread evenly over `servers`, each writing until `seconds` pass."""
    load = Load(label)
    budget = int(seconds * MAX_REQUESTS_PER_SECOND)
    issued = 0
    loop = asyncio.get_running_loop()
    async with contextlib.AsyncExitStack() as stack:
        seats = [
            (server, client)
            for index, server in enumerate(servers)
            for client in await stack.enter_async_context(
                users(server, CLIENTS // len(servers) + (index < CLIENTS % len(servers)))
            )
        ]
        started = loop.time()
        deadline = started + seconds

        async def user(server: Server, client: httpx.AsyncClient) -> None:
            nonlocal issued
            while loop.time() < deadline and issued < budget:
                number, issued = issued, issued + 1
                begun = time.perf_counter()
                try:
                    outcome = await record(client, server, projects[number % len(projects)], number)
                except Exception as exc:  # counted and reported, never hidden
                    outcome = f"exception {type(exc).__name__}"
                load.latencies.append(time.perf_counter() - begun)
                load.outcomes[outcome] += 1

        await asyncio.gather(*(user(server, client) for server, client in seats))
        load.seconds = loop.time() - started
    return load


async def worst_lag(pool: asyncpg.Pool[Any]) -> tuple[int, float]:
    names = [projection.name for projection in ALL_PROJECTIONS]
    rows = await pool.fetch(projection_sql.SELECT_STATUS, names)
    return max(row["lag_events"] for row in rows), max(row["lag_seconds"] for row in rows)


async def lag_under_load(
    server: Server, pool: asyncpg.Pool[Any], projects: list[UUID], seconds: float
) -> tuple[Load, Lag]:
    """Sample the lag each second of a spread write load, 2 s after it, until caught up."""
    lag = Lag()

    async def sample() -> None:
        while True:
            await asyncio.sleep(1.0)
            lag.during.append(await worst_lag(pool))

    sampler = asyncio.create_task(sample())
    try:
        load = await write_load(
            f"spread over {len(projects)} projects", [server], projects, seconds
        )
    finally:
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
    stopped = time.perf_counter()
    two_seconds_taken = False
    while (since := time.perf_counter() - stopped) < CAUGHT_UP_WAIT:
        if since >= 2.0 and not two_seconds_taken:
            lag.after_two_seconds, two_seconds_taken = await worst_lag(pool), True
        elif lag.caught_up_after is None and (await worst_lag(pool))[0] == 0:
            lag.caught_up_after = since
        if two_seconds_taken and lag.caught_up_after is not None:
            break
        await asyncio.sleep(0.05)
    return load, lag


async def sequential(steps: list[Callable[[], Awaitable[str]]], rounds: int) -> list[list[float]]:
    """Each step `rounds` times, interleaved so that drift hits all alike; latencies each."""
    latencies: list[list[float]] = [[] for _ in steps]
    for _ in range(rounds):
        for index, step in enumerate(steps):
            begun = time.perf_counter()
            outcome = await step()
            latencies[index].append(time.perf_counter() - begun)
            if outcome != "ok":
                raise RuntimeError(f"step {index} answered {outcome}")
    return latencies


def read_step(
    client: httpx.AsyncClient, server: Server, project: UUID, version: int | None
) -> Callable[[], Awaitable[str]]:
    payload = {"query": PROJECT_READ, "variables": {"id": str(project), "version": version}}
    headers = server.headers(Role.SUPERVISOR, SUPERVISOR_ID)

    async def step() -> str:
        return _graphql_outcome(await client.post("/graphql", json=payload, headers=headers))

    return step


def write_step(
    client: httpx.AsyncClient, server: Server, project: UUID
) -> Callable[[], Awaitable[str]]:
    counter = iter(range(10**9))

    async def step() -> str:
        return await record(client, server, project, next(counter))

    return step


@dataclass
class Figures:
    catch_up_start: float = 0.0
    warm: list[list[float]] = field(default_factory=list)  # [new, big]
    reads: list[list[float]] = field(default_factory=list)  # [current, mid-history]
    mid_version: int = 0
    snapshots: asyncpg.Record | None = None
    loads: list[Load] = field(default_factory=list)
    lag_load: Load | None = None
    lag: Lag | None = None
    cold: list[list[float]] = field(default_factory=list)  # [new, big], one per restart
    findings: list[str] = field(default_factory=list)  # what the servers logged


def server_log(label: str, server: Server) -> list[str]:
    """What a stopped server logged at WARNING or above (its log is overwritten on restart)."""
    return [f"{label}: {line}" for line in _server_log_findings(server.log)]


async def measure(url: str, big: UUID, others: list[UUID], args: argparse.Namespace) -> Figures:
    figures = Figures()
    new, hot, spread = others[0], others[1], others[1:]
    pool = await when_the_server_has_room(lambda: asyncpg.create_pool(url, min_size=1, max_size=2))
    try:
        with (
            tempfile.TemporaryDirectory(prefix="cso-bench-shape-") as dir_a,
            tempfile.TemporaryDirectory(prefix="cso-bench-shape-") as dir_b,
        ):
            log_a, log_b = Path(dir_a), Path(dir_b)
            async with serving_when_room(url, log_a) as server:
                figures.catch_up_start = await wait_for_projections(server)
                async with users(server, 1) as [client]:
                    new_w, big_w = write_step(client, server, new), write_step(client, server, big)
                    await sequential([new_w, big_w], 10)  # warm the caches and the code paths
                    figures.warm = await sequential([new_w, big_w], args.rounds)
                    figures.mid_version = BIG_EVENTS // 2
                    figures.reads = await sequential(
                        [
                            read_step(client, server, big, None),
                            read_step(client, server, big, figures.mid_version),
                        ],
                        args.rounds,
                    )
                figures.snapshots = await pool.fetchrow(SNAPSHOT_SIZES, big)
                figures.loads.append(
                    await write_load("one project, one process", [server], [hot], args.cell)
                )
                figures.loads.append(
                    await write_load(
                        f"spread over {len(spread)} projects", [server], spread, args.cell
                    )
                )
                await wait_for_projections(server)
                figures.lag_load, figures.lag = await lag_under_load(
                    server, pool, spread, args.seconds
                )
                async with serving_when_room(url, log_b) as second:
                    await wait_for_projections(second)
                    figures.loads.append(
                        await write_load(
                            "one project, two processes", [server, second], [hot], args.cell
                        )
                    )
                figures.findings += server_log("second server", second)
            figures.findings += server_log("first server", server)
            for restart in range(args.restarts):
                async with serving_when_room(url, log_a) as server:
                    await wait_for_projections(server)
                    async with users(server, 1) as [client]:
                        await sequential([write_step(client, server, hot)], 1)  # warm code paths
                        order = [new, big] if restart % 2 == 0 else [big, new]
                        firsts = await sequential([write_step(client, server, p) for p in order], 1)
                        by_project = dict(zip(order, firsts, strict=True))
                        figures.cold.append([by_project[new][0], by_project[big][0]])
                figures.findings += server_log(f"restart {restart + 1}", server)
    finally:
        await pool.close()
    return figures


# -- report -------------------------------------------------------------------------------


def report(figures: Figures, args: argparse.Namespace, header: list[str]) -> None:
    for line in header:
        print(line)
    print(f"projections caught up {figures.catch_up_start:.1f} s after the first start")
    print()
    print(f"recordService throughput, {CLIENTS} clients, {args.cell:g} s each")
    print(f"  {'':<34} {'ok/s':>8} {'CONFLICT':>9} {'other':>6} {'requests':>9} {'x spread':>9}")
    spread = figures.loads[1].ok_per_second
    for load in figures.loads:
        total = sum(load.outcomes.values())
        print(
            f"  {load.label:<34} {load.ok_per_second:>8.1f} {load.conflicts:>9} "
            f"{load.others:>6} {total:>9} {load.ok_per_second / spread:>8.2f}x"
        )
    for load in figures.loads:
        if not_ok := {k: v for k, v in load.outcomes.items() if k != "ok"}:
            print(f"  {load.label}, not ok: {not_ok}")
    print()
    new_w, big_w = figures.warm
    print(f"recordService latency, one client, {args.rounds} each, ms   p50      p95")
    print(
        f"  new project (warm)                        {pct(new_w, 50):>7.2f}  "
        f"{pct(new_w, 95):>7.2f}"
    )
    print(
        f"  {BIG_EVENTS:,}-event project (warm)              {pct(big_w, 50):>7.2f}  "
        f"{pct(big_w, 95):>7.2f}   {pct(big_w, 50) / pct(new_w, 50):.2f}x p50 (target <= 1.5x)"
    )
    if figures.cold:
        cold_new = statistics.median(c[0] for c in figures.cold) * 1000
        cold_big = statistics.median(c[1] for c in figures.cold) * 1000
        print(
            f"  first after a restart, median of {len(figures.cold)}: new {cold_new:.2f}, "
            f"{BIG_EVENTS:,}-event {cold_big:.2f}   {cold_big / cold_new:.2f}x"
        )
    print()
    snap = figures.snapshots
    if snap is not None:
        print(
            f"snapshot of the {BIG_EVENTS:,}-event project: latest {snap['latest_bytes'] or 0:,} "
            f"bytes (target < 16,384); {snap['snapshots']} snapshots, {snap['total_bytes']:,} "
            "bytes in all"
        )
    current, mid = figures.reads
    print(
        f"project read, ms p50/p95: current {pct(current, 50):.2f}/{pct(current, 95):.2f}; "
        f"version {figures.mid_version:,} {pct(mid, 50):.2f}/{pct(mid, 95):.2f}   "
        f"{pct(mid, 50) / pct(current, 50):.2f}x p50"
    )
    print()
    lag, load = figures.lag, figures.lag_load
    assert lag is not None and load is not None
    events = [e for e, _ in lag.during] or [0]
    seconds = [s for _, s in lag.during] or [0.0]
    print(
        f"projection lag during {load.seconds:.0f} s of {CLIENTS}-client writes "
        f"({load.outcomes['ok']:,} ok, {load.ok_per_second:.1f}/s, {load.others} not ok), "
        f"sampled each second:"
    )
    print(
        f"  events max {max(events):,}, median {statistics.median(events):,.0f}, "
        f"last {events[-1]:,}; seconds max {max(seconds):.2f}, median "
        f"{statistics.median(seconds):.2f}"
    )
    after_events, after_seconds = lag.after_two_seconds
    caught = "not" if lag.caught_up_after is None else f"{lag.caught_up_after:.2f} s"
    print(
        f"  2 s after the load stopped: {after_events:,} events, {after_seconds:.2f} s behind; "
        f"caught up {caught} after it stopped (target <= 2 s)"
    )
    print()
    for line in figures.findings:
        print(line)


async def main(args: argparse.Namespace) -> None:
    load_before = os.getloadavg()[0]
    configured = os.environ.get("CSO_DATABASE_URL") or os.environ.get("CSO_TEST_DATABASE_URL")
    server_url = resolve_database_url(configured, Settings.from_env().data_dir)
    if urlsplit(server_url).hostname not in (None, "", "localhost", HOST, "::1"):
        raise SystemExit("the benchmark runs against a loopback PostgreSQL only")
    async with scratch_database(server_url, "cso_bench_shape") as url:
        summary, seed_seconds = await seed_demo_data(url)
        started = time.perf_counter()
        big, others = await grow_big_project(url, BIG_EVENTS)
        grow_seconds = time.perf_counter() - started
        figures = await measure(url, big, others, args)
    header = [
        f"Python {sys.version.split()[0]}; {os.cpu_count()} CPU(s) shared by client, server and "
        f"database; load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after",
        f"seeded in {seed_seconds:.1f} s: {summary}",
        f"grew one project to {BIG_EVENTS:,} events in {grow_seconds:.1f} s",
    ]
    report(figures, args, header)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="the lag run's write load")
    parser.add_argument("--cell", type=float, default=15.0, help="each throughput cell")
    parser.add_argument("--rounds", type=int, default=200, help="sequential requests per path")
    parser.add_argument("--restarts", type=int, default=3, help="server restarts for cold loads")
    parser.add_argument("--quick", action="store_true", help="a ~10 s lag run, short cells")
    parsed = parser.parse_args()
    if parsed.quick:
        parsed.seconds, parsed.cell, parsed.rounds, parsed.restarts = 10.0, 5.0, 50, 1
    begun = time.perf_counter()
    asyncio.run(main(parsed))
    print(f"total {time.perf_counter() - begun:.0f} s")
