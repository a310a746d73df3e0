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


async def scale(url: str, log_dir: Path, plan: Plan, report: Any, demo_p50: list[float]) -> None:
    """Target 10: the page's p50 (wrk, 32 connections) on a district-scale seed over the
    same page's p50 at demo scale."""
    if not demo_p50:
        report.add(not_available(BY_ID["10"], "the demo-scale page was not measured"))
        return
    if plan.mode == "quick" or not plan.district:
        why = "the district seed outlasts this run: `make bench-district` measures it"
        report.add(not_available(BY_ID["10"], why))
        return
    if not district_seed_available():
        report.add(not_available(BY_ID["10"], "this code's `cso seed` has no --scale option"))
        return
    from traffic import PAGE, _body

    async with scratch_database(url, "cso_bench_district") as district:
        started = time.perf_counter()
        seeded = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "cso"),
            "seed",
            "--scale",
            "district",
            env={**os.environ, "CSO_DATABASE_URL": district, "CSO_RUN_PROJECTIONS": "0"},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        if await seeded.wait() != 0:
            report.add(not_available(BY_ID["10"], "`cso seed --scale district` failed"))
            return
        seed_seconds = time.perf_counter() - started
        (log_dir / "district").mkdir()
        async with serving(district, log_dir / "district") as server:
            await wait_for_projections(server)
            viewer = server.headers(Role.VIEWER, "be0c0000-0000-4000-8000-000000000002")
            url_ = f"{server.url}/graphql"
            await run_wrk(url_, [_body(PAGE)], plan.warm_up, viewer["Authorization"])
            runs = [
                await run_wrk(url_, [_body(PAGE)], plan.seconds, viewer["Authorization"])
                for _ in range(plan.rounds)
            ]
    p50 = sorted(r.p50_ms for r in runs)[len(runs) // 2]
    report.add(Row(BY_ID["10"], p50, demo_p50[0], note=f"district seeded in {seed_seconds:.0f} s"))
