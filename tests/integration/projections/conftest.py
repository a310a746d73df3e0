"""Read models kept by the real runners, on the session's database.

One supervisor runs every projection for the whole session; a test saves aggregates and
waits (bounded) until every projection has passed the append's token. Another process's
runners may hold the locks (the e2e app shares the database): waiting on the committed
checkpoints works either way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from eventsourcing.domain import Aggregate

from cso.database import connect, create_pool
from cso.domain.enums import DOMAIN_ENUMS
from cso.eventstore import Codec, EventStore, Listener, Metadata, Repository
from cso.migrations import migrate
from cso.projections import ALL_PROJECTIONS
from cso.projections.base import Projection
from cso.projections.runner import ProjectionRunner
from cso.projections.supervisor import ProjectionSupervisor
from tests.integration.projections.recording import CREATE_TABLE
from tests.integration.projections.world import World

MakeRunner = Callable[..., ProjectionRunner]


@pytest.fixture(scope="session")
async def listener(database_url: str) -> AsyncIterator[Listener]:
    listener = Listener(database_url, poll_interval=0.1)
    await listener.start()
    yield listener
    await listener.stop()


@pytest.fixture(scope="session")
def codec() -> Codec:
    return Codec(DOMAIN_ENUMS)


@pytest.fixture(scope="session")
def event_store(pool: asyncpg.Pool[Any]) -> EventStore:
    return EventStore(pool)


@pytest.fixture(scope="session")
async def world(
    pool: asyncpg.Pool[Any],
    database_url: str,
    event_store: EventStore,
    codec: Codec,
    listener: Listener,
) -> AsyncIterator[World]:
    supervisor = ProjectionSupervisor(
        ALL_PROJECTIONS,
        database_url=database_url,
        store=event_store,
        codec=codec,
        listener=listener,
        retry_interval=0.05,
        lock_poll_interval=0.05,
    )
    await supervisor.start()
    yield World(pool, event_store, Repository(event_store, codec), supervisor)
    await supervisor.stop()


@pytest.fixture(scope="session")
async def applied_table(pool: asyncpg.Pool[Any]) -> None:
    await pool.execute(CREATE_TABLE)


@pytest.fixture
def make_runner(
    database_url: str, event_store: EventStore, codec: Codec, listener: Listener
) -> MakeRunner:
    """`make_runner(projection, **options)`: a runner wired like the supervisor wires one."""

    def make(projection: Projection, **options: Any) -> ProjectionRunner:
        return ProjectionRunner(
            projection,
            database_url=database_url,
            store=event_store,
            codec=codec,
            listener=listener,
            **options,
        )

    return make


@dataclass
class Isolated:
    """A migrated database of a test's own, whose read models hold only what it saves."""

    database_url: str
    pool: asyncpg.Pool[Any]
    repository: Repository

    async def save_and_project(self, *aggregates: Aggregate) -> None:
        """Append, then run every projection's catch-up past the append."""
        result = await self.repository.save(*aggregates, metadata=Metadata())
        for projection in ALL_PROJECTIONS:
            runner = self.runner(projection)
            assert await runner.catch_up_to(result.checkpoint) >= result.checkpoint

    def runner(self, projection: Projection, **options: Any) -> ProjectionRunner:
        """A runner of `projection` on this database (`options` as ProjectionRunner's)."""
        return ProjectionRunner(
            projection,
            database_url=self.database_url,
            store=self.repository.store,
            codec=self.repository.codec,
            listener=Listener(self.database_url, poll_interval=0.05),
            **options,
        )


@pytest.fixture
async def isolated(empty_database: str) -> AsyncIterator[Isolated]:
    conn = await connect(empty_database)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    pool = await create_pool(empty_database, min_size=1, max_size=4)
    yield Isolated(empty_database, pool, Repository(EventStore(pool), Codec(DOMAIN_ENUMS)))
    await pool.close()
