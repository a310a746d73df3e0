"""A test projection that records every event of chosen streams it applies, once per apply.

`test_applied_events` has no unique key on purpose: an event applied twice shows as two rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Collection
from typing import Any
from uuid import UUID

import asyncpg

from cso.domain.officer import Officer
from cso.eventstore import Checkpoint, EventStore, RecordedEvent
from cso.projections.base import Projection

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS test_applied_events (
  projection text    NOT NULL,
  stream_id  uuid    NOT NULL,
  version    integer NOT NULL
)
"""
INSERT_APPLIED = "INSERT INTO test_applied_events VALUES ($1, $2, $3)"
SELECT_APPLIED = "SELECT stream_id, version FROM test_applied_events WHERE projection = $1"
START_AT = """
INSERT INTO projection_checkpoints (name, transaction_id, position) VALUES ($1, $2::xid8, $3)
"""
SELECT_CHECKPOINT = "SELECT * FROM projection_checkpoints WHERE name = $1"

Hook = Callable[[RecordedEvent], Awaitable[None]]


async def nothing(recorded: RecordedEvent) -> None:
    return None


def recording_projection(name: str, streams: Collection[UUID], hook: Hook = nothing) -> Projection:
    """Records officers' events of `streams`; `hook` runs after the write (it may raise)."""
    projection = Projection(name)

    @projection.on(Officer, "Registered", "RolesChanged", "Deactivated")
    async def record(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
        if recorded.stream_id in streams:
            await conn.execute(INSERT_APPLIED, name, recorded.stream_id, recorded.version)
            await hook(recorded)

    return projection


async def start_at_head(pool: asyncpg.Pool[Any], store: EventStore, name: str) -> Checkpoint:
    """Begin `name` after the log's current end, so it replays only what the test appends.
    The newest event, not `head`: an open transaction anywhere on the server (another test
    run's) holds `head` back, and the projection would replay earlier tests' events too."""
    head = await store.newest()
    await pool.execute(START_AT, name, head.transaction_id, head.position)
    return head


async def applied(pool: asyncpg.Pool[Any], name: str) -> Counter[tuple[UUID, int]]:
    """How many times each (stream, version) was applied and committed."""
    rows = await pool.fetch(SELECT_APPLIED, name)
    return Counter((row["stream_id"], row["version"]) for row in rows)


async def checkpoint_row(pool: asyncpg.Pool[Any], name: str) -> asyncpg.Record:
    row: asyncpg.Record | None = await pool.fetchrow(SELECT_CHECKPOINT, name)
    assert row is not None
    return row
