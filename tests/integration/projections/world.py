"""What the read-model tests work with: save like the services do, read what projections made."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
from eventsourcing.domain import Aggregate

from cso.eventstore import Checkpoint, EventStore, Metadata, RecordedEvent, Repository
from cso.projections.supervisor import ProjectionSupervisor

WAIT_SECONDS = 15.0


@dataclass
class World:
    """Saves aggregates the way the services do, and reads what the projections made."""

    pool: asyncpg.Pool[Any]
    store: EventStore
    repository: Repository
    supervisor: ProjectionSupervisor

    async def append(self, *aggregates: Aggregate) -> Checkpoint:
        """Save without waiting for the read models."""
        return (await self.repository.save(*aggregates, metadata=Metadata())).checkpoint

    async def save(self, *aggregates: Aggregate) -> Checkpoint:
        """Save, then wait until every read model includes the append."""
        checkpoint = await self.append(*aggregates)
        caught_up = await self.supervisor.wait_for(checkpoint.token(), timeout=WAIT_SECONDS)
        assert caught_up, f"the read models did not reach {checkpoint} in {WAIT_SECONDS}s"
        return checkpoint

    async def row(self, query: str, *args: Any) -> asyncpg.Record:
        found: asyncpg.Record | None = await self.pool.fetchrow(query, *args)
        assert found is not None, f"no row for {args}"
        return found

    async def events(self, stream_id: UUID) -> list[RecordedEvent]:
        return await self.store.read_stream(stream_id)


async def until(condition: Callable[[], bool], what: str, seconds: float = 10.0) -> None:
    """Wait, bounded, until `condition()` holds."""
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting until {what}")
