"""An aggregate class may set its own snapshot interval; the repository's is the default."""

from __future__ import annotations

from typing import Any

import asyncpg
from eventsourcing.domain import Aggregate, event

from cso.eventstore import Codec, EventStore, Metadata, Repository

SNAPSHOT_VERSIONS = "SELECT version FROM snapshots WHERE stream_id = $1 ORDER BY version"


class Sparse(Aggregate):
    snapshot_interval = 5

    @event("Started")
    def __init__(self) -> None:
        self.count = 0

    @event("Bumped")
    def bump(self) -> None:
        self.count += 1


class Dense(Sparse):
    snapshot_interval = 2


async def test_each_class_is_snapshotted_at_its_own_interval(pool: asyncpg.Pool[Any]) -> None:
    repository = Repository(EventStore(pool), Codec(), snapshot_interval=3)
    found = []
    for kind in (Sparse, Dense):
        aggregate = kind()
        await repository.save(aggregate, metadata=Metadata())
        for _ in range(10):
            aggregate.bump()
            await repository.save(aggregate, metadata=Metadata())
        found.append([r["version"] for r in await pool.fetch(SNAPSHOT_VERSIONS, aggregate.id)])
        reloaded = await Repository(EventStore(pool), Codec()).get(aggregate.id, kind)
        assert reloaded.count == 10
    assert found == [[5, 10], [2, 4, 6, 8, 10]]
