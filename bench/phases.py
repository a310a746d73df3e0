"""The HTTP parts of `make bench` (bench/run.py), each adding its rows to the report, and
the order of all parts.

HTTP figures come from wrk (bench/load.py) at 32 connections, in interleaved rounds after a
warm-up of each server; sequential latencies (long streams, time travel) and freshness
probes from one httpx client; catch-up and appends in process (bench/storage.py), as
bench/audit.py and bench/eventstore.py measure them.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import asyncpg
import httpx
from api import (  # bench/ is on sys.path when run as a script
    SUPERVISOR_ID,
    VIEWER_ID,
    Server,
    projection_worker,
    seed_demo_data,
    serving,
    wait_for_projections,
)
from load import Run, run_wrk
from peers import bare, postgraphile
from shape import DISTRICT, grow_big_project, read_step, sequential, write_step
from targets import BY_ID, Row, not_available
from traffic import (
    PAGE,
    PEER_PAGE,
    RssSampler,
    _body,
    bare_record_bodies,
    combined,
    failures,
    freshness_probes,
    interleaved,
    mix_bodies,
    pct,
    record_bodies,
    response_cache_available,
    wrk_cell,
)

from cso.services.identity import Role

if TYPE_CHECKING:
    from run import Plan

BIG_EVENTS = 10_000
# Our API process beside the phase's projection worker (see reads_and_writes).
WORKER_PROJECTS = {"CSO_RUN_PROJECTIONS": "0"}
AS_OF_READ = """
query($id: ID!, $asOf: DateTime) { project(id: $id, asOf: $asOf) { id version stage name } }
"""
RECORDED_AT = "SELECT recorded_at FROM events WHERE stream_id = $1 AND version = $2"


async def reads_and_writes(
    url: str, log_dir: Path, plan: Plan, report: Any, notes: list[str], projects: list[UUID]
) -> float:
    """Targets 1-4 over HTTP, 7 (freshness) and 9 (memory); the page's p50 (ms) at demo
    scale, for target 10."""
    today = datetime.now(DISTRICT).date().isoformat()
    new, hot, spread = projects[1], projects[2], projects[2:]
    (log_dir / "ours").mkdir()
    # The steady deployment (docs/OPERATIONS.md): the API process serves with its projections
    # off and one projection worker beside it projects what every server here writes, so
    # neither our server nor the bare route carries the other's projection work.
    async with (
        projection_worker(url, log_dir),
        serving(url, log_dir / "ours", WORKER_PROJECTS) as server,
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
                serving(url, log_dir / "cached", {**WORKER_PROJECTS, "CSO_RESPONSE_CACHE": "1"})
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
    import district
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
        ("scale", lambda: district.scale(url, log_dir, plan, report, demo_p50)),
    ]
    for name, part in parts:
        began = time.perf_counter()
        try:
            await part()
        except Exception as exc:  # reported in the notes and the JSON; the run goes on
            notes.append(f"{name} failed: {type(exc).__name__}: {str(exc)[:300]}")
        notes.append(f"{name}: {time.perf_counter() - began:.0f} s")
