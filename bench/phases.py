"""The parts of `make bench` (bench/run.py), each adding its rows to the report.

HTTP figures come from wrk (bench/load.py) at 32 connections, in interleaved rounds after a
warm-up of each server; sequential latencies (long streams, time travel) and freshness
probes from one httpx client; appends and catch-up in process, as bench/eventstore.py and
bench/audit.py measure them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import asyncpg
import httpx
import psutil
from api import SUPERVISOR_ID, VIEWER_ID, Server, serving, wait_for_projections
from load import Run, run_wrk
from peers import bare, postgraphile
from shape import DISTRICT, grow_big_project, read_step, sequential, write_step
from targets import BY_ID, Row, not_available

from cso.services.identity import Role

if TYPE_CHECKING:
    from run import Plan

from api import seed_demo_data

BIG_EVENTS = 10_000
PAGE = (
    "query { projects(first: 20) { edges { node { id name stage cso { name } "
    "enterprise { name } requests { status } } } } }"
)
# PostGraphile's page: the same rows (the projects list's default order), fields and nesting.
PEER_PAGE = (
    "{ allRmProjects(first: 20, orderBy: [CREATED_AT_ASC, ID_ASC]) { nodes { id name stage "
    "cso { name } enterprise { name } requests { nodes { status } } } } }"
)
# The mutation as the bare route answers it: the service and the consistency token. (Asking
# for the payload's `project` too waits for the read models: read-your-writes.)
RECORD_SERVICE = """
mutation($input: RecordServiceInput!) {
  recordService(input: $input) { serviceId consistencyToken }
}
"""
AS_OF_READ = """
query($id: ID!, $asOf: DateTime) { project(id: $id, asOf: $asOf) { id version stage name } }
"""
RECORDED_AT = "SELECT recorded_at FROM events WHERE stream_id = $1 AND version = $2"
CHECKPOINTS = """
SELECT transaction_id::text::bigint AS transaction_id, position FROM projection_checkpoints
WHERE name = ANY($1::text[])
"""
MIX_WRITES_EVERY = 20  # one recordService in 20 requests: the 95/5 mix
FRESHNESS_TIMEOUT = 5.0


def _body(query: str, **variables: Any) -> str:
    return json.dumps({"query": query, "variables": variables}, ensure_ascii=False)


def record_bodies(projects: list[UUID], today: str, count: int = 2_000) -> list[str]:
    """recordService requests spread over `projects` in turn."""
    return [
        _body(
            RECORD_SERVICE,
            input={
                "projectId": str(projects[n % len(projects)]),
                "kind": "VISIT",
                "summary": f"基准测试走访 #{n}",
                "occurredOn": today,
            },
        )
        for n in range(count)
    ]


def bare_record_bodies(projects: list[UUID], today: str, count: int = 2_000) -> list[str]:
    return [
        json.dumps(
            {
                "projectId": str(projects[n % len(projects)]),
                "kind": "VISIT",
                "summary": f"基准测试走访 #{n}",
                "occurredOn": today,
            },
            ensure_ascii=False,
        )
        for n in range(count)
    ]


def mix_bodies(projects: list[UUID], today: str) -> list[str]:
    """95% the page, 5% recordService, the writes spread through the sequence."""
    writes = iter(record_bodies(projects, today))
    return [
        next(writes) if n % MIX_WRITES_EVERY == MIX_WRITES_EVERY - 1 else _body(PAGE)
        for n in range(2_000)
    ]


def combined(runs: list[Run]) -> tuple[float, float]:
    """(requests per second over all rounds, median of the rounds' p50 in ms)."""
    requests = sum(r.requests for r in runs)
    seconds = sum(r.seconds for r in runs)
    return requests / seconds, statistics.median(r.p50_ms for r in runs)


Cell = Callable[[float], Awaitable[Run]]


async def interleaved(cells: dict[str, Cell], plan: Plan) -> dict[str, list[Run]]:
    """Each cell once untimed (warm-up), then `plan.rounds` rounds of every cell in turn."""
    for cell in cells.values():
        await cell(plan.warm_up)
    runs: dict[str, list[Run]] = {name: [] for name in cells}
    for _ in range(plan.rounds):
        for name, cell in cells.items():
            runs[name].append(await cell(plan.seconds))
    return runs


def failures(runs: dict[str, list[Run]]) -> str:
    """`name: N failed` for cells with failed responses, else ''."""
    found = [
        f"{name}: {sum(r.failures for r in rs)} of {sum(r.requests for r in rs)} failed"
        for name, rs in runs.items()
        if any(r.failures for r in rs)
    ]
    return "; ".join(found)


def response_cache_available() -> bool:
    """Whether the code under test reads CSO_RESPONSE_CACHE (another change adds it)."""
    import cso

    package = Path(cso.__file__).parent
    return any("CSO_RESPONSE_CACHE" in p.read_text() for p in package.rglob("*.py"))


class RssSampler:
    """The server's resident memory (with its children) every half second, in MB."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def _rss(self) -> float:
        processes = [self.process, *self.process.children(recursive=True)]
        total: int = sum(p.memory_info().rss for p in processes)
        return total / 2**20

    async def _run(self) -> None:
        while True:
            self.samples.append(self._rss())
            await asyncio.sleep(0.5)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self.samples.append(self._rss())


async def wait_visible(conn: asyncpg.Connection[Any], names: list[str], token: str) -> float:
    """Seconds until every projection's checkpoint has passed the consistency token's
    event (polled each millisecond); FRESHNESS_TIMEOUT if it has not by then."""
    from cso.eventstore.records import Checkpoint

    target = Checkpoint.from_token(token)
    wanted = (target.transaction_id, target.position)
    began = time.perf_counter()
    while (elapsed := time.perf_counter() - began) < FRESHNESS_TIMEOUT:
        rows = await conn.fetch(CHECKPOINTS, names)
        if len(rows) == len(names) and all(
            (r["transaction_id"], r["position"]) >= wanted for r in rows
        ):
            return elapsed
        await asyncio.sleep(0.001)
    return FRESHNESS_TIMEOUT


async def freshness_probes(
    server: Server,
    url: str,
    project: UUID,
    today: str,
    pause: float,
    until: Callable[[list[float]], bool],
) -> list[float]:
    """recordService, then the time from its response until the read models hold it, again
    and again (`pause` seconds apart) until `until(samples so far)` says to stop."""
    from cso.projections import ALL_PROJECTIONS

    names = [p.name for p in ALL_PROJECTIONS]
    headers = {
        **server.headers(Role.SUPERVISOR, SUPERVISOR_ID),
        "Content-Type": "application/json",
    }
    conn = await asyncpg.connect(url)
    samples: list[float] = []
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30, trust_env=False) as client:
            while not until(samples):
                body = record_bodies([project], today, 1)[0].replace("#0", f"#f{len(samples)}")
                response = await client.post("/graphql", content=body, headers=headers)
                token = response.json()["data"]["recordService"]["consistencyToken"]
                samples.append(await wait_visible(conn, names, token))
                await asyncio.sleep(pause)
    finally:
        await conn.close()
    return samples


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def wrk_cell(url: str, bodies: list[str], authorization: str = "") -> Cell:
    async def cell(seconds: float) -> Run:
        return await run_wrk(url, bodies, seconds, authorization)

    return cell


async def reads_and_writes(
    url: str, log_dir: Path, plan: Plan, report: Any, notes: list[str], projects: list[UUID]
) -> float:
    """Targets 1-4 over HTTP, 7 (freshness) and 9 (memory); the page's p50 (ms) at demo
    scale, for target 10."""
    today = datetime.now(DISTRICT).date().isoformat()
    new, hot, spread = projects[1], projects[2], projects[2:]
    (log_dir / "ours").mkdir()
    async with (
        serving(url, log_dir / "ours") as server,
        postgraphile(url, log_dir) as peer_url,
        bare(url, log_dir) as bare_url,
    ):
        await wait_for_projections(server)
        viewer = server.headers(Role.VIEWER, VIEWER_ID)["Authorization"]
        supervisor = server.headers(Role.SUPERVISOR, SUPERVISOR_ID)["Authorization"]
        ours_url = f"{server.url}/graphql"
        reads = await interleaved(
            {
                "ours": wrk_cell(ours_url, [_body(PAGE)], viewer),
                "PostGraphile": wrk_cell(peer_url, [_body(PEER_PAGE)]),
                "bare page": wrk_cell(f"{bare_url}/page", ["{}"]),
            },
            plan,
        )
        ours_rate, ours_p50 = combined(reads["ours"])
        peer_rate, peer_p50 = combined(reads["PostGraphile"])
        bare_rate, bare_p50 = combined(reads["bare page"])
        report.add(
            Row(
                BY_ID["1a"],
                ours_rate,
                peer_rate,
                note=f"p50 ours {ours_p50:.1f} ms, PostGraphile {peer_p50:.1f} ms; for "
                f"scale, the bare Starlette + asyncpg page {bare_rate:,.0f} req/s "
                f"(p50 {bare_p50:.1f} ms). {failures(reads)}".strip(),
            )
        )
        writes = await interleaved(
            {
                "ours": wrk_cell(ours_url, record_bodies(spread, today), supervisor),
                "bare": wrk_cell(f"{bare_url}/record", bare_record_bodies(spread, today)),
                "one project": wrk_cell(ours_url, record_bodies([hot], today), supervisor),
            },
            plan,
        )
        ours_w, ours_w_p50 = combined(writes["ours"])
        bare_w, bare_w_p50 = combined(writes["bare"])
        busy, busy_p50 = combined(writes["one project"])
        conflicts = sum(r.conflicts for r in writes["one project"])
        report.add(
            Row(
                BY_ID["2"],
                ours_w,
                bare_w,
                note=f"spread over {len(spread)} projects; p50 ours {ours_w_p50:.1f} ms, "
                f"bare {bare_w_p50:.1f} ms. {failures({k: writes[k] for k in ('ours', 'bare')})}",
            )
        )
        report.add(
            Row(
                BY_ID["3"],
                busy,
                ours_w,
                condition=conflicts == 0,
                note=f"{conflicts} CONFLICT; p50 {busy_p50:.1f} ms",
            )
        )
        await wait_for_projections(server)
        low = await freshness_probes(
            server, url, new, today, 0.05, lambda done: len(done) >= plan.freshness_probes
        )
        report.add(
            Row(
                BY_ID["7a"],
                statistics.median(low) * 1000,
                note=f"{len(low)} sequential recordService, from the response until every "
                f"projection's checkpoint passed its token (polled each ms); p95 "
                f"{pct(low, 95) * 1000:.1f} ms",
            )
        )
        load = asyncio.create_task(
            run_wrk(ours_url, record_bodies(spread, today), plan.seconds * 3, supervisor)
        )
        await asyncio.sleep(1.0)
        busy_samples = await freshness_probes(server, url, new, today, 0.1, lambda _: load.done())
        under = await load
        report.add(
            Row(
                BY_ID["7b"],
                pct(busy_samples, 95) * 1000 if len(busy_samples) > 1 else None,
                note=f"{len(busy_samples)} probe(s) during {under.seconds:.0f} s of 32-connection "
                f"recordService at {under.per_second:,.0f}/s; median "
                f"{statistics.median(busy_samples) * 1000:.1f} ms",
            )
        )
        await wait_for_projections(server)
        await long_streams(server, url, plan, report, projects[0], new)
        await mix(server, url, peer_url, log_dir, plan, report, spread, today)
    notes.append(f"reads: {failures(reads) or 'no failed responses'}")
    return ours_p50


async def mix(
    server: Server,
    url: str,
    peer_url: str,
    log_dir: Path,
    plan: Plan,
    report: Any,
    spread: list[UUID],
    today: str,
) -> None:
    """Targets 1b and 9: 95% page and 5% recordService against PostGraphile's page, with the
    response cache on when the code has one (a server of its own, then)."""
    cache = response_cache_available()
    async with contextlib.AsyncExitStack() as stack:
        if cache:
            (log_dir / "cached").mkdir()
            server = await stack.enter_async_context(
                serving(url, log_dir / "cached", {"CSO_RESPONSE_CACHE": "1"})
            )
            await wait_for_projections(server)
        supervisor = server.headers(Role.SUPERVISOR, SUPERVISOR_ID)["Authorization"]
        sampler = RssSampler(server.process.pid)
        sampler.start()
        after_first: list[float] = []
        ours = wrk_cell(f"{server.url}/graphql", mix_bodies(spread, today), supervisor)

        async def ours_sampled(seconds: float) -> Run:
            run = await ours(seconds)
            after_first.append(sampler.samples[-1] if sampler.samples else 0.0)
            return run

        runs = await interleaved(
            {"ours": ours_sampled, "PostGraphile": wrk_cell(peer_url, [_body(PEER_PAGE)])},
            plan,
        )
        await sampler.stop()
    ours_rate, ours_p50 = combined(runs["ours"])
    peer_rate, _ = combined(runs["PostGraphile"])
    if cache:
        report.add(Row(BY_ID["1b"], ours_rate, peer_rate, note=f"p50 {ours_p50:.1f} ms"))
    else:
        row = not_available(BY_ID["1b"], "this code has no response cache (CSO_RESPONSE_CACHE)")
        row.note += f"; the mix without it: {ours_rate:,.0f} req/s vs {peer_rate:,.0f}"
        report.add(row)
    peak = max(sampler.samples)
    # The first value is after the warm-up round; growth is the last round's over it.
    growth = sampler.samples[-1] / after_first[1] if len(after_first) > 1 else 1.0
    report.add(
        Row(
            BY_ID["9"],
            peak,
            condition=growth <= 1.10,
            note=f"peak of {len(sampler.samples)} samples over the mix; after its last round "
            f"{growth:.2f}x the first timed round's (growth allowed: 1.10x)",
        )
    )


async def long_streams(
    server: Server, url: str, plan: Plan, report: Any, big: UUID, new: UUID
) -> None:
    """Targets 5a (warm) and 8: sequential requests from one client, interleaved."""
    conn = await asyncpg.connect(url)
    try:
        middle = await conn.fetchval(RECORDED_AT, big, BIG_EVENTS // 2)
    finally:
        await conn.close()
    async with httpx.AsyncClient(base_url=server.url, timeout=30, trust_env=False) as client:
        steps = [write_step(client, server, new), write_step(client, server, big)]
        await sequential(steps, 10)
        fresh, grown = await sequential(steps, plan.sequential)
        headers = server.headers(Role.SUPERVISOR, SUPERVISOR_ID)
        payload = {"query": AS_OF_READ, "variables": {"id": str(big), "asOf": middle.isoformat()}}

        async def as_of() -> str:
            response = await client.post("/graphql", json=payload, headers=headers)
            body = response.json()
            return "ok" if body.get("data", {}).get("project") else str(body)[:200]

        reads = [read_step(client, server, big, None), as_of]
        await sequential(reads, 10)
        current, past = await sequential(reads, plan.sequential)
    report.add(
        Row(
            BY_ID["5a"],
            pct(grown, 50) * 1000,
            pct(fresh, 50) * 1000,
            note=f"{plan.sequential} each, one client",
        )
    )
    report.add(
        Row(
            BY_ID["8"],
            pct(past, 50) * 1000,
            pct(current, 50) * 1000,
            note=f"asOf the time of version {BIG_EVENTS // 2:,}; {plan.sequential} each",
        )
    )


async def after_restarts(
    url: str, log_dir: Path, plan: Plan, report: Any, big: UUID, new: UUID, warm: UUID
) -> None:
    """Target 5b: the first recordService on each project after a restart (as
    bench/shape.py measures it), the order alternating; medians over the restarts."""
    firsts: list[tuple[float, float]] = []
    for restart in range(plan.restarts):
        directory = log_dir / f"restart-{restart}"
        directory.mkdir()
        async with serving(url, directory) as server:
            await wait_for_projections(server)
            async with httpx.AsyncClient(
                base_url=server.url, timeout=30, trust_env=False
            ) as client:
                await sequential([write_step(client, server, warm)], 1)  # warm the code paths
                order = [new, big] if restart % 2 == 0 else [big, new]
                timings = await sequential([write_step(client, server, p) for p in order], 1)
                by_project = dict(zip(order, (t[0] for t in timings), strict=True))
                firsts.append((by_project[new], by_project[big]))
    cold_new = statistics.median(f[0] for f in firsts) * 1000
    cold_big = statistics.median(f[1] for f in firsts) * 1000
    report.add(Row(BY_ID["5b"], cold_big, cold_new, note=f"median of {plan.restarts} restart(s)"))


async def run_all(url: str, log_dir: Path, plan: Plan, report: Any, notes: list[str]) -> None:
    """Every part in turn, on the scratch database at `url`. A part that fails is named
    in the notes with its error, its rows stay "not available", and the next part runs."""
    import storage

    summary, seed_seconds = await seed_demo_data(url)
    started = time.perf_counter()
    big, others = await grow_big_project(url, BIG_EVENTS)
    notes.append(f"seeded the demo in {seed_seconds:.0f} s: {summary}")
    notes.append(
        f"grew one project to {BIG_EVENTS:,} events in {time.perf_counter() - started:.0f} s"
    )
    projects = [big, *others]
    demo_p50: list[float] = []

    async def http() -> None:
        demo_p50.append(await reads_and_writes(url, log_dir, plan, report, notes, projects))

    parts: list[tuple[str, Callable[[], Awaitable[None]]]] = [
        ("HTTP", http),
        ("restarts", lambda: after_restarts(url, log_dir, plan, report, *projects[:3])),
        ("catch-up", lambda: storage.catch_up(url, plan, report, notes)),
        ("appends", lambda: storage.appends(url, plan, report)),
        ("scale", lambda: storage.scale(url, log_dir, plan, report, demo_p50)),
    ]
    for name, part in parts:
        began = time.perf_counter()
        try:
            await part()
        except Exception as exc:  # reported in the notes and the JSON; the run goes on
            notes.append(f"{name} failed: {type(exc).__name__}: {str(exc)[:300]}")
        notes.append(f"{name}: {time.perf_counter() - began:.0f} s")
