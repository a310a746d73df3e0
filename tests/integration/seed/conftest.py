"""A database seeded once for these tests, and helpers to read it back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import asyncpg
import pytest
from eventsourcing.domain import Aggregate

from cso.database import connect, create_pool, scratch_database
from cso.domain.enums import DOMAIN_ENUMS
from cso.eventstore import Codec, EventStore, Listener, Repository
from cso.migrations import migrate
from cso.projections import ALL_PROJECTIONS
from cso.projections.runner import ProjectionRunner
from cso.seed import SeedSummary, seed
from cso.services.application import Application

TODAY = date(2026, 5, 10)
SEED = 2026

A = TypeVar("A", bound=Aggregate)


@dataclass
class Seeded:
    pool: asyncpg.Pool[Any]
    summary: SeedSummary
    url: str


async def migrated_application(url: str) -> tuple[asyncpg.Pool[Any], Application]:
    """Migrate the database at `url` and build the application the service would."""
    conn = await connect(url)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    pool = await create_pool(url, min_size=1, max_size=4)
    return pool, application(pool)


def application(pool: asyncpg.Pool[Any]) -> Application:
    store = EventStore(pool)
    return Application(Repository(store, Codec(DOMAIN_ENUMS)), store, lambda: TODAY)


@pytest.fixture(scope="package")
async def seeded(server_url: str) -> AsyncIterator[Seeded]:
    """A fresh database seeded once; the tests only read it."""
    async with scratch_database(server_url, "cso_seed") as url:
        pool, app = await migrated_application(url)
        try:
            yield Seeded(pool, await seed(app, today=TODAY, rng_seed=SEED), url)
        finally:
            await pool.close()


@pytest.fixture(scope="package")
async def projected(seeded: Seeded) -> AsyncIterator[asyncpg.Pool[Any]]:
    """The seeded log, applied by every projection's runner up to its end (its newest event,
    waited for: a runner applies no further than other sessions' open transactions allow)."""
    url = seeded.url
    newest = await EventStore(seeded.pool).newest()
    listener = Listener(url)
    await listener.start()
    try:
        for projection in ALL_PROJECTIONS:
            runner = ProjectionRunner(
                projection,
                database_url=url,
                store=EventStore(seeded.pool),
                codec=Codec(DOMAIN_ENUMS),
                listener=listener,
            )
            await runner.catch_up_to(newest, timeout=60)
    finally:
        await listener.stop()
    yield seeded.pool


async def replay_all(pool: asyncpg.Pool[Any], kind: type[A]) -> list[A]:
    """Every aggregate of `kind`, replayed from its events by a repository with a cold cache."""
    repository = Repository(EventStore(pool), Codec(DOMAIN_ENUMS))
    ids = await pool.fetch(
        "SELECT DISTINCT stream_id FROM events WHERE stream_type = $1", kind.__name__
    )
    return [await repository.get(row["stream_id"], kind) for row in ids]


async def decoded_events(pool: asyncpg.Pool[Any], event_name: str) -> list[Any]:
    """Every event of a project named `event_name` (e.g. "ServiceRecorded"), decoded."""
    codec = Codec(DOMAIN_ENUMS)
    rows = await pool.fetch(
        "SELECT stream_id, version, type, data::text AS data FROM events "
        "WHERE stream_type = 'Project' AND type LIKE '%.' || $1 ORDER BY position",
        event_name,
    )
    return [
        codec.decode(row["stream_id"], row["version"], row["type"], row["data"]) for row in rows
    ]
