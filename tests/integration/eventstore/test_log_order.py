"""Reading the whole log in commit order: every event once, none skipped, none out of order.

The naive reader (`position > last`) is here to show that these tests bite: positions are
handed out when a row is inserted, not when its transaction commits, so a reader that only
remembers the highest position it saw skips a transaction that commits late.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, cast
from uuid import UUID, uuid4

import asyncpg
import pytest

from cso.database import connect
from cso.eventstore import (
    Checkpoint,
    EventStore,
    Listener,
    Metadata,
    RecordedEvent,
    StreamAppend,
    follow,
)
from tests.integration.eventstore.conftest import Following, MakeEvent, ReadMine

WRITERS = 16
EVENTS_PER_WRITER = 500

NAIVE_READ = """
SELECT position, stream_id, version FROM events WHERE position > $1 ORDER BY position LIMIT 500
"""

# A row inserted by hand in a transaction the test keeps open; the hash is not checked here.
INSERT_BARE = """
INSERT INTO events (stream_id, stream_type, version, type, data, metadata, recorded_at, hash)
VALUES ($1, 'Test', $2, 'test:Late', '{}', '{}', now(), '\\x00')
"""


@contextlib.asynccontextmanager
async def _open_transaction(
    database_url: str, stream_id: UUID
) -> AsyncIterator[tuple[asyncpg.Connection[Any], asyncpg.transaction.Transaction]]:
    """A transaction on a connection of its own that has inserted event 1 of `stream_id`
    and stays open until the body commits or rolls it back."""
    conn = await connect(database_url)
    try:
        transaction = conn.transaction()
        await transaction.start()
        await conn.execute(INSERT_BARE, stream_id, 1)
        yield conn, transaction
    finally:
        await conn.close()


class NaiveReader:
    """Remembers the highest position it has seen, and asks for what lies above it."""

    def __init__(self, pool: asyncpg.Pool[Any], last: int) -> None:
        self.pool = pool
        self.last = last
        self.seen: list[tuple[UUID, int]] = []

    @classmethod
    async def at_head(cls, pool: asyncpg.Pool[Any]) -> NaiveReader:
        return cls(pool, await pool.fetchval("SELECT coalesce(max(position), 0) FROM events"))

    async def read(self) -> int:
        rows = await self.pool.fetch(NAIVE_READ, self.last)
        for row in rows:
            self.seen.append((row["stream_id"], row["version"]))
            self.last = row["position"]
        return len(rows)


async def _writer(store: EventStore, stream: UUID, make_event: MakeEvent) -> None:
    """Single-event appends, each its own transaction, the way a repository makes them."""
    previous_hash = None
    for version in range(EVENTS_PER_WRITER):
        result = await store.append(
            [StreamAppend(stream, "Test", version, [make_event(version + 1)], previous_hash)],
            Metadata(),
        )
        previous_hash = result.hashes[stream]


def _assert_each_stream_complete_and_in_order(
    seen: list[tuple[UUID, int]], streams: list[UUID], count: int
) -> None:
    by_stream: dict[UUID, list[int]] = defaultdict(list)
    for stream, version in seen:
        by_stream[stream].append(version)
    for stream in streams:
        assert by_stream[stream] == list(range(1, count + 1))


async def test_a_log_follower_sees_every_event_of_16_concurrent_writers_once_in_stream_order(
    store: EventStore, pool: asyncpg.Pool[Any], database_url: str, make_event: MakeEvent
) -> None:
    streams = [uuid4() for _ in range(WRITERS)]
    mine = set(streams)
    expected = WRITERS * EVENTS_PER_WRITER
    listener = Listener(database_url, poll_interval=0.5)
    await listener.start()
    naive = await NaiveReader.at_head(pool)
    start = await store.head()
    seen: list[tuple[UUID, int]] = []
    checkpoints: list[Checkpoint] = []
    batches = 0
    writing = True

    async def follow_log() -> None:
        nonlocal batches
        async with contextlib.aclosing(
            cast("Following", follow(store, listener, start))
        ) as batches_of_log:
            async for batch in batches_of_log:
                batches += 1
                checkpoints.extend(e.checkpoint for e in batch)
                seen.extend((e.stream_id, e.version) for e in batch if e.stream_id in mine)
                if len(seen) >= expected:
                    return

    async def read_naively() -> None:
        while writing:
            await naive.read()
        while await naive.read():  # and what is left once the writers are done
            pass

    try:
        async with asyncio.timeout(120):
            follower = asyncio.create_task(follow_log())
            naive_reader = asyncio.create_task(read_naively())
            await asyncio.gather(*(_writer(store, s, make_event) for s in streams))
            writing = False
            await asyncio.gather(follower, naive_reader)
    finally:
        await listener.stop()

    assert len(seen) == expected
    assert len(set(seen)) == expected  # nothing twice
    _assert_each_stream_complete_and_in_order(seen, streams, EVENTS_PER_WRITER)
    assert checkpoints == sorted(set(checkpoints))  # the log itself only ever moves forward
    assert batches > 1  # it followed the writers, not just read the log once at the end
    # Under the same load, remembering only the highest position loses events.
    naive_mine = [s for s in naive.seen if s[0] in mine]
    assert len(naive_mine) < expected, "the naive reader should have skipped late commits"


async def test_a_naive_position_reader_skips_a_transaction_that_commits_late(
    store: EventStore,
    pool: asyncpg.Pool[Any],
    database_url: str,
    make_event: MakeEvent,
    read_mine: ReadMine,
) -> None:
    """A takes a position and commits late; B takes a higher one and commits first."""
    late, early = uuid4(), uuid4()
    naive = await NaiveReader.at_head(pool)
    start = await store.head()
    # A: the lower position, not committed
    async with _open_transaction(database_url, late) as (_, transaction):
        await store.append([StreamAppend(early, "Test", 0, [make_event(1)])], Metadata())  # B
        await naive.read()  # sees B, moves past A's position
        before_a_commits = await read_mine(start, {late, early}, 0, timeout=0)
        await transaction.commit()
    while await naive.read():
        pass
    after = await read_mine(start, {late, early}, 2)

    assert [s for s in naive.seen if s[0] in {late, early}] == [(early, 1)]  # A: never
    assert before_a_commits == []  # the watermark reader waits for A ...
    assert [(e.stream_id, e.version) for e in after] == [(late, 1), (early, 1)]  # ... gets both
    assert after[0].checkpoint < after[1].checkpoint


async def test_an_open_transaction_holds_the_log_reader_back_but_never_makes_it_skip(
    store: EventStore, database_url: str, make_event: MakeEvent, read_mine: ReadMine
) -> None:
    held, before, after = uuid4(), uuid4(), uuid4()
    mine = {held, before, after}
    start = await store.head()
    await store.append([StreamAppend(before, "Test", 0, [make_event(1)])], Metadata())
    async with _open_transaction(database_url, held) as (a, transaction):
        held_xid = await a.fetchval("SELECT pg_current_xact_id()")
        made = await store.append(
            [StreamAppend(after, "Test", 0, [make_event(1), make_event(2)])], Metadata()
        )
        readings = [await read_mine(start, mine, 1)]  # once `before` is readable ...
        readings += [await read_mine(start, mine, 1, timeout=0) for _ in range(3)]
        await transaction.commit()
    final = await read_mine(start, mine, 4)

    assert made.checkpoint.transaction_id > int(held_xid)
    # ... the reader stops below the open transaction, every time
    assert [[(e.stream_id, e.version) for e in reading] for reading in readings] == [
        [(before, 1)]
    ] * 4
    assert [(e.stream_id, e.version) for e in final] == [
        (before, 1),
        (held, 1),
        (after, 1),
        (after, 2),
    ]
    assert [e.checkpoint for e in final] == sorted(e.checkpoint for e in final)


async def test_a_rolled_back_transaction_releases_the_log_reader_and_leaves_nothing(
    store: EventStore, database_url: str, make_event: MakeEvent, read_mine: ReadMine
) -> None:
    held, after = uuid4(), uuid4()
    start = await store.head()
    async with _open_transaction(database_url, held) as (_, transaction):
        await store.append([StreamAppend(after, "Test", 0, [make_event(1)])], Metadata())
        held_back = await read_mine(start, {held, after}, 0, timeout=0)
        await transaction.rollback()
    released = await read_mine(start, {held, after}, 1)

    assert held_back == []
    assert [(e.stream_id, e.version) for e in released] == [(after, 1)]


async def test_a_reader_starting_at_the_head_misses_nothing_that_commits_after(
    store: EventStore, database_url: str, make_event: MakeEvent, read_mine: ReadMine
) -> None:
    """The head is taken while a transaction is in flight: its events still reach the reader."""
    late, early = uuid4(), uuid4()
    async with _open_transaction(database_url, late) as (_, transaction):
        await store.append([StreamAppend(early, "Test", 0, [make_event(1)])], Metadata())
        head = await store.head()
        await transaction.commit()

    read = await read_mine(head, {late, early}, 2, timeout=5)

    assert (late, 1) in [(e.stream_id, e.version) for e in read]


@pytest.mark.parametrize("limit", [1, 3, 500])
async def test_reading_the_log_in_batches_gives_the_same_events_as_reading_it_at_once(
    store: EventStore, make_event: MakeEvent, limit: int
) -> None:
    streams = [uuid4() for _ in range(3)]
    start = await store.head()
    results = [
        await store.append([StreamAppend(s, "Test", 0, [make_event(1), make_event(2)])], Metadata())
        for s in streams
    ]
    checkpoint, paged = start, list[RecordedEvent]()
    async with asyncio.timeout(10):  # the watermark may hold the reader back for a moment
        while len(paged) < 6:
            batch = await store.read_log(checkpoint, limit)
            assert len(batch) <= limit
            if batch:
                paged.extend(e for e in batch if e.stream_id in set(streams))
                checkpoint = batch[-1].checkpoint
            else:
                await asyncio.sleep(0.01)
    paged.extend(e for e in await store.read_log(checkpoint) if e.stream_id in set(streams))

    assert [(e.stream_id, e.version) for e in paged] == [(s, v) for s in streams for v in (1, 2)]
    # An append's checkpoint is the place of its last event in the log.
    assert [e.checkpoint for e in paged[1::2]] == [r.checkpoint for r in results]
