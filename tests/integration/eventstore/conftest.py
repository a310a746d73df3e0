"""Fixtures shared by the event store's integration tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Collection
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson
import pytest

from cso.database import create_pool
from cso.eventstore import Checkpoint, EventStore, NewEvent, RecordedEvent

MakeEvent = Callable[..., NewEvent]
ReadMine = Callable[..., Awaitable[list[RecordedEvent]]]
Following = AsyncGenerator[list[RecordedEvent], None]  # what follow() is, so it can be closed


@pytest.fixture
def store(pool: asyncpg.Pool[Any]) -> EventStore:
    return EventStore(pool)


@pytest.fixture
def make_event() -> MakeEvent:
    """`make_event(n)`: an encoded event whose data is `{"n": n}` (plus any extra fields)."""

    def make(n: int, **extra: Any) -> NewEvent:
        return NewEvent(
            type="test:Happened",
            data=orjson.dumps({"n": n, **extra}).decode(),
            recorded_at=datetime.now(UTC),
        )

    return make


WIDE = 64


@pytest.fixture
async def wide_pool(database_url: str) -> AsyncIterator[asyncpg.Pool[Any]]:
    """64 connections, all open before the test starts, so 64 appends really run at once.

    The server allows 100 connections, and other test runs may share it: when it is full,
    wait (for a bounded time) for their connections to go, rather than fail at once.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 120
    while True:
        try:
            pool = await create_pool(database_url, min_size=WIDE, max_size=WIDE)
            break
        except asyncpg.TooManyConnectionsError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.5)
    yield pool
    await pool.close()


@pytest.fixture
def read_mine(store: EventStore) -> ReadMine:
    """`read_mine(start, streams, count)`: the log's events of `streams` after `start`, once at
    least `count` of them are readable (or after `timeout` seconds, with what there is).

    The watermark is the oldest transaction still open anywhere on the server, other databases
    included, so an unrelated transaction can hold a reader back for a moment: a test that
    expects events waits for them, within a bound, instead of reading once.
    """

    async def read(
        start: Checkpoint, streams: Collection[UUID], count: int, timeout: float = 10
    ) -> list[RecordedEvent]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        checkpoint, found = start, list[RecordedEvent]()
        while True:
            batch = await store.read_log(checkpoint)
            if batch:
                checkpoint = batch[-1].checkpoint
                found.extend(e for e in batch if e.stream_id in streams)
                continue
            if len(found) >= count or loop.time() > deadline:
                return found
            await asyncio.sleep(0.01)

    return read
