"""The in-process parts of `make bench`: catch-up (target 6), appends against their peers
(target 4) and the district-scale page (target 10)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncpg
from api import serving, wait_for_projections  # bench/ is on sys.path when run as a script
from audit import copy_demo, project
from eventstore import BARE_TABLE, bare_rate, store_rates
from load import run_wrk
from recorder import saves_per_second_apart
from targets import BY_ID, Row, not_available

from cso.database import create_pool, scratch_database
from cso.eventstore import EventStore
from cso.services.identity import Role

if TYPE_CHECKING:
    from run import Plan

WRITERS = 32
COUNT = "SELECT count(*) FROM events"


async def catch_up(url: str, plan: Plan, report: Any, notes: list[str]) -> None:
    """Target 6: the log copied under fresh ids (bench/audit.py), which every projection's
    runner then applies, all at once as a server's supervisor runs them. A first copy
    measures how fast copying and applying go; the second holds as many more copies as fit
    what is left of `plan.catch_up_seconds` at those rates, up to `plan.catch_up_events` in
    all, so a slow catch-up cannot take the run past its budget (the row says how many
    events it used)."""
    pool = await create_pool(url, min_size=1, max_size=4)
    store = EventStore(pool)
    applied, seconds, copying = 0, 0.0, 0.0
    began = time.perf_counter()
    try:
        await project(url, store)  # whatever the last server left unprojected, untimed
        raw = await asyncpg.connect(url)
        try:
            log = await raw.fetchval(COUNT)
            copies, made = 1, 0
            while copies > 0:
                copy_started = time.perf_counter()
                await copy_demo(raw, copies, first=made + 1)
                made += copies
                total = await raw.fetchval(COUNT)
                copying += time.perf_counter() - copy_started
                seconds += await project(url, store)
                applied += total - log
                log = total
                # Seconds an event costs, copied and then applied; what is left of the budget.
                cost = (copying + seconds) / applied
                left = plan.catch_up_seconds - (time.perf_counter() - began)
                fits = min(plan.catch_up_events - applied, left / cost)
                copies = int(fits // total)
        finally:
            await raw.close()
    finally:
        await store.close()
        await pool.close()
    report.add(
        Row(
            BY_ID["6"],
            applied / seconds,
            note=f"{applied:,} events (copies of the bench's own log under fresh ids) applied "
            f"by every projection's runner at once (as a server catches up) in {seconds:.1f} s"
            + ("; the target says 1,000,000" if applied < 1_000_000 else ""),
        )
    )
    notes.append(f"catch-up measured on {applied:,} events")


async def appends(url: str, plan: Plan, report: Any) -> None:
    """Target 4: single-event appends to new streams by 32 writers, interleaved with a bare
    INSERT into a table of the events table's shape and eventsourcing's recorder. Each
    opens its own 32 connections (the PostgreSQL server is shared) before its clock starts."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(BARE_TABLE)
    finally:
        await conn.close()
    rates: dict[str, list[float]] = {"store": [], "bare": [], "recorder": []}
    for round_ in range(plan.rounds + 1):  # the first round warms up, untimed
        seconds = plan.warm_up if round_ == 0 else plan.append_seconds
        [ours] = await store_rates(url, WRITERS, seconds, existing=False)
        bare = await bare_rate(url, WRITERS, seconds)
        recorder = await saves_per_second_apart(url, WRITERS, seconds)
        if round_:
            rates["store"].append(ours.per_second)
            rates["bare"].append(bare.per_second)
            rates["recorder"].append(recorder)
    ours_mean, bare_mean, recorder_mean = (sum(v) / len(v) for v in rates.values())
    report.add(
        Row(
            BY_ID["4a"],
            ours_mean,
            bare_mean,
            note=f"new streams; {plan.rounds} rounds of {plan.append_seconds:g} s",
        )
    )
    report.add(
        Row(
            BY_ID["4b"],
            ours_mean,
            recorder_mean,
            note="Application.save of new one-event aggregates from 32 threads, POSTGRES_* "
            "settings, a pool of 32",
        )
    )


def district_seed_available() -> bool:
    """Whether `cso seed` takes `--scale` (another change adds it)."""
    help_text = subprocess.run(
        [str(Path(sys.executable).parent / "cso"), "seed", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    ).stdout
    return "--scale" in help_text


async def scale(
    url: str,
    log_dir: Path,
    plan: Plan,
    report: Any,
    demo_p50: list[float],
    district_scale: str = "district",
) -> None:
    """Target 10: the page's p50 (wrk, 32 connections) on a district-scale seed over the
    same page's p50 on a demo-only database, both seeded, projected and served side by
    side by the same code in this run, measured in interleaved rounds (demo, district, ...)
    with each server's CPU per page. Both read models are vacuumed and analysed first, as
    autovacuum would have done on a server that runs it: catch-up rewrites a project's
    row per event, and a server with autovacuum off pages over the dead rows. `demo_p50`
    (row 1a's database, grown by the other targets) is only named in the note;
    `district_scale` is `cso seed --scale`'s value (a fraction, to try the row quickly)."""
    if plan.mode == "quick" or not plan.district:
        why = "the district seed outlasts this run: `make bench-district` measures it"
        report.add(not_available(BY_ID["10"], why))
        return
    if not district_seed_available():
        report.add(not_available(BY_ID["10"], "this code's `cso seed` has no --scale option"))
        return
    from api import seed_demo_data
    from traffic import PAGE, _body

    async def seeded_district(database: str) -> float | None:
        started = time.perf_counter()
        seeding = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "cso"),
            "seed",
            "--scale",
            district_scale,
            env={**os.environ, "CSO_DATABASE_URL": database, "CSO_RUN_PROJECTIONS": "0"},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        return time.perf_counter() - started if await seeding.wait() == 0 else None

    async def projected_and_vacuumed(database: str) -> tuple[int, float]:
        pool = await create_pool(database, min_size=1, max_size=4)
        store = EventStore(pool)
        try:
            seconds = await project(database, store)
            events = int(await pool.fetchval(COUNT))
            tables = await pool.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename LIKE 'rm\\_%'"
            )
            for row in tables:
                await pool.execute(f'VACUUM (ANALYZE) "{row["tablename"]}"')
        finally:
            await store.close()
            await pool.close()
        return events, seconds

    def cpu_seconds(pid: int | None) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async with (
        scratch_database(url, "cso_bench_demo") as demo,
        scratch_database(url, "cso_bench_district") as district,
    ):
        await seed_demo_data(demo)
        seed_seconds = await seeded_district(district)
        if seed_seconds is None:
            report.add(not_available(BY_ID["10"], "`cso seed --scale district` failed"))
            return
        demo_events, _ = await projected_and_vacuumed(demo)
        events, projecting = await projected_and_vacuumed(district)
        body = [_body(PAGE)]
        p50s: dict[str, list[float]] = {"demo": [], "district": []}
        cpu_ms: dict[str, list[float]] = {"demo": [], "district": []}
        (log_dir / "demo").mkdir()
        (log_dir / "district").mkdir()
        async with (
            serving(demo, log_dir / "demo") as small,
            serving(district, log_dir / "district") as big,
        ):
            servers = {"demo": small, "district": big}
            for server in servers.values():
                await wait_for_projections(server)
                auth = server.headers(Role.VIEWER, "be0c0000-0000-4000-8000-000000000002")
                await run_wrk(f"{server.url}/graphql", body, plan.warm_up, auth["Authorization"])
            for _ in range(plan.rounds):
                for name, server in servers.items():
                    auth = server.headers(Role.VIEWER, "be0c0000-0000-4000-8000-000000000002")
                    before = cpu_seconds(server.process.pid)
                    run = await run_wrk(
                        f"{server.url}/graphql", body, plan.seconds, auth["Authorization"]
                    )
                    spent = cpu_seconds(server.process.pid) - before
                    p50s[name].append(run.p50_ms)
                    cpu_ms[name].append(1000 * spent / max(1, run.requests))
    middle = plan.rounds // 2
    ours, peer = sorted(p50s["district"])[middle], sorted(p50s["demo"])[middle]
    cpu_big, cpu_small = sorted(cpu_ms["district"])[middle], sorted(cpu_ms["demo"])[middle]
    report.add(
        Row(
            BY_ID["10"],
            ours,
            peer,
            note=f"district: {events:,} events seeded in {seed_seconds:.0f} s, projected in "
            f"{projecting:.0f} s; demo: {demo_events:,} events; server CPU a page "
            f"{cpu_big:.2f} ms (district) vs {cpu_small:.2f} ms (demo); read models vacuumed"
            + (f"; row 1a's demo p50 {demo_p50[0]:.1f} ms" if demo_p50 else ""),
        )
    )
