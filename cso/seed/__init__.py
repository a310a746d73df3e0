"""Demo data, loaded through the real use cases so that every event is one a user could cause.

A supervisor registers officers, chains and enterprises and assigns CSOs; each project's
CSO records its milestones, services and requests. History is replayed day by day over
the past two years with the application's clock set to each day, so due dates, CSO terms
and overdue requests come out as they would have.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from cso.seed.plan import make_plan
from cso.seed.runner import SeedStepFailed, run_steps
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
    "SeedStepFailed",
    "SeedSummary",
    "database_is_empty",
    "seed",
]


class DatabaseNotEmpty(RuntimeError):
    """Demo data goes only into an event store without events."""


async def seed(app: Application, *, today: date, rng_seed: int = 2026) -> SeedSummary:
    """Load the demo district into an empty store; the same seed and day load the same data."""
    if not await database_is_empty(app.store.pool):
        raise DatabaseNotEmpty("the event store already holds events; seed an empty database")
    steps = make_plan(rng_seed, today)
    ctx = await run_steps(app, steps, SEED_SUPERVISOR, rng_seed)
    return await summarise(ctx, SEED_SUPERVISOR, today)


async def database_is_empty(pool: asyncpg.Pool[Any]) -> bool:
    """True when no event has been recorded (or the store's tables do not exist yet)."""
    async with pool.acquire() as conn:
        if not await conn.fetchval("SELECT to_regclass('events') IS NOT NULL"):
            return True
        return not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM events)")
