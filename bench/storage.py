"""The in-process parts of `make bench`: catch-up (target 6) and appends against their peers
(target 4). Target 10 is bench/district.py's."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import asyncpg
from audit import copy_demo, project
from eventstore import BARE_TABLE, bare_rate, store_rates
from recorder import saves_per_second_apart
from targets import BY_ID, Row

from cso.database import create_pool
from cso.eventstore import EventStore

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
