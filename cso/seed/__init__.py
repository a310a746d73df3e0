"""Demo data, loaded through the real use cases so that every event is one a user could cause.

A supervisor registers officers, chains and enterprises and assigns CSOs; each project's
CSO records its milestones, services and requests. History is replayed day by day over
the past two years with the application's clock set to each day, so due dates, CSO terms
and overdue requests come out as they would have, and with the store's clock on that day
too, so each event is recorded when the story says it happened (cso/seed/clock.py) and
`asOf` shows the district as it stood. `scale` adds the district at the seeds' scale
(cso/seed/district.py), appended in batches (cso/seed/staging.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from cso.seed.collector import fewer_collections
from cso.seed.district import BatchCorrelation, DistrictPlan, DistrictScale, district_plan
from cso.seed.district_run import Opener, SetupIds, Share, run_shares
from cso.seed.plan import plan_parts
from cso.seed.runner import Progress, SeedRun, SeedStepFailed, run_steps, step_correlations
from cso.seed.summary import SeedSummary, summarise
from cso.services.application import Application
from cso.services.identity import Principal, Role

SEED_SUPERVISOR = Principal(
    id="5eed0000-0000-4000-8000-000000000001",
    role=Role.SUPERVISOR,
    name="罗建华",
    dept="区委组织部",
)

__all__ = [
    "SEED_SUPERVISOR",
    "DatabaseNotEmpty",
    "DistrictScale",
    "Progress",
    "SeedStepFailed",
    "SeedSummary",
    "database_is_empty",
    "seed",
]


class DatabaseNotEmpty(RuntimeError):
    """Demo data goes only into an event store without events."""


async def seed(
    app: Application,
    *,
    today: date,
    rng_seed: int = 2026,
    scale: DistrictScale | None = None,
    progress: Progress | None = None,
    database_url: str | None = None,
    workers: int = 1,
    opener: Opener | None = None,
) -> SeedSummary:
    """Load the demo district into an empty store; the same seed and day load the same data.

    With `scale`, the district's bulk (cso/seed/district.py) is written between the demo's
    setup and its history: its lanes in `workers` processes of their own, each with the
    application `opener` opens on `database_url` (the store's database), or here one after
    another when either is None or `workers` is 1. Events are recorded at the story's
    times (SimulatedClock). `progress` is told of the steps run.
    Raises DatabaseNotEmpty, SeedStepFailed.
    """
    if not await database_is_empty(app.store.pool):
        raise DatabaseNotEmpty("the event store already holds events; seed an empty database")
    setup, history = plan_parts(rng_seed, today)
    district = None if scale is None else district_plan(rng_seed, scale, setup[0].on, today)
    run = SeedRun.open(app, setup[0].on)
    run.total = len(setup) + len(history) + (0 if district is None else district.steps)
    demo = step_correlations(rng_seed)
    await run_steps(run, setup, SEED_SUPERVISOR, demo, progress=progress)
    if district is not None:
        parallel = None if database_url is None or opener is None else (database_url, opener)
        with fewer_collections():
            run.done = await _district(run, district, rng_seed, progress, parallel, workers)
        # The demo's history touches none of the district's streams, and the district's
        # last waitlist event is older than the demo's first: its own times again.
        run.recorded.restart(history[0].on)
    ctx = await run_steps(run, history, SEED_SUPERVISOR, demo, progress=progress)
    return await summarise(ctx, SEED_SUPERVISOR, today)


async def _district(
    run: SeedRun,
    district: DistrictPlan,
    rng_seed: int,
    progress: Progress | None,
    parallel: tuple[str, Opener] | None,
    workers: int,
) -> int:
    """The district's setup here, then its lanes; returns the steps run so far."""
    beside = run.beside()
    correlation = BatchCorrelation(rng_seed, district.first)
    await run_steps(beside, district.setup, SEED_SUPERVISOR, correlation, progress=progress)
    if parallel is None or workers <= 1:
        for share in district.shares(1):
            await run_steps(beside, share, SEED_SUPERVISOR, correlation, progress=progress)
        return beside.done
    ctx = beside.ctx
    ids = SetupIds(dict(ctx.officers), dict(ctx.enterprises), dict(ctx.chains))
    shares = [
        Share(n, steps, district.first, run.recorded.next, correlation)
        for n, steps in enumerate(district.shares(workers))
    ]
    repository = run.repository
    steps, events = await run_shares(
        *parallel,
        shares,
        ids,
        SEED_SUPERVISOR,
        progress,
        beside.done,
        run.total,
        repository.events,
    )
    repository.events += events
    return beside.done + steps


async def database_is_empty(pool: asyncpg.Pool[Any]) -> bool:
    """True when no event has been recorded (or the store's tables do not exist yet)."""
    async with pool.acquire() as conn:
        if not await conn.fetchval("SELECT to_regclass('events') IS NOT NULL"):
            return True
        return not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM events)")
