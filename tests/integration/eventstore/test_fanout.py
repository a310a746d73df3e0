"""The fan-out: one log reader per process, its batches shared by every subscriber."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Collection
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import orjson
import pytest

from cso.eventstore import Checkpoint, EventStore, Listener, Metadata, NewEvent, StreamAppend
from cso.eventstore.fanout import READER_NAME, Fanout
from cso.eventstore.records import RecordedEvent

TIMEOUT = 10


class CountingStore(EventStore):
    """Remembers which task made each log read."""

    def __init__(self, pool: asyncpg.Pool[Any]) -> None:
        super().__init__(pool)
        self.readers: list[str] = []

    async def read_log(self, after: Checkpoint, limit: int = 500) -> list[RecordedEvent]:
        task = asyncio.current_task()
        self.readers.append("" if task is None else task.get_name())
        return await super().read_log(after, limit)


class Follower:
    """A subscriber in its own task; `gate`, while clear, holds it after its first batch."""

    def __init__(self, fanout: Fanout, after: Checkpoint, name: str, gate: asyncio.Event) -> None:
        self.events: list[RecordedEvent] = []
        self.changed = asyncio.Event()
        self.gate = gate
        self.task = asyncio.create_task(self._run(fanout, after), name=name)

    async def _run(self, fanout: Fanout, after: Checkpoint) -> None:
        async with contextlib.aclosing(fanout.follow(after)) as batches:
            async for batch in batches:
                self.events.extend(batch)
                self.changed.set()
                await self.gate.wait()

    def of(self, stream: UUID) -> list[int]:
        return [int(e.data["n"]) for e in self.events if e.stream_id == stream]

    async def sees(self, stream: UUID, count: int) -> list[int]:
        async with asyncio.timeout(TIMEOUT):
            while len(self.of(stream)) < count:
                self.changed.clear()
                await self.changed.wait()
        return self.of(stream)

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(TIMEOUT):
        while not condition():
            await asyncio.sleep(0)  # let the other tasks run; bounded by the timeout


@pytest.fixture
async def counting_store(pool: asyncpg.Pool[Any]) -> AsyncIterator[CountingStore]:
    store = CountingStore(pool)
    yield store
    await store.close()


@pytest.fixture
async def listener(database_url: str) -> AsyncIterator[Listener]:
    listener = Listener(database_url, poll_interval=0.05)
    await listener.start()
    try:
        await asyncio.wait_for(listener.connected.wait(), TIMEOUT)
        yield listener
    finally:
        await listener.stop()


@contextlib.asynccontextmanager
async def fanning_out(
    store: EventStore, listener: Listener, **options: int
) -> AsyncIterator[tuple[Fanout, Callable[..., Follower]]]:
    fanout = Fanout(store, listener, **options)
    followers: list[Follower] = []
    open_gate = asyncio.Event()
    open_gate.set()

    def follower(after: Checkpoint, gate: asyncio.Event = open_gate) -> Follower:
        followers.append(Follower(fanout, after, f"follower-{len(followers)}", gate))
        return followers[-1]

    try:
        yield fanout, follower
    finally:
        for each in followers:
            await each.close()
        await fanout.stop()


async def append(store: EventStore, stream: UUID, numbers: Collection[int], version: int) -> None:
    for offset, n in enumerate(numbers):
        data = orjson.dumps({"n": n}).decode()
        event = NewEvent(type="test:Happened", data=data, recorded_at=datetime.now(UTC))
        await store.append([StreamAppend(stream, "Test", version + offset, [event])], Metadata())


def reader_tasks() -> set[asyncio.Task[Any]]:
    """Every fan-out reader in this event loop (an API that other tests serve has one too)."""
    return {task for task in asyncio.all_tasks() if task.get_name() == READER_NAME}


async def test_twenty_subscribers_share_one_log_reader(
    counting_store: CountingStore, listener: Listener
) -> None:
    stream = uuid4()
    others = reader_tasks()
    async with fanning_out(counting_store, listener) as (fanout, follower):
        start = await fanout.start_position()
        followers = [follower(start) for _ in range(20)]
        await until(lambda: len(fanout.subscribers) == 20)
        await append(counting_store, stream, [0], version=0)
        for each in followers:  # each is on the shared feed now: the primer came through it
            assert await each.sees(stream, 1) == [0]
        counting_store.readers.clear()

        await append(counting_store, stream, [1, 2, 3, 4, 5], version=1)
        for each in followers:
            assert await each.sees(stream, 6) == [0, 1, 2, 3, 4, 5]

        assert len(reader_tasks() - others) == 1
        assert counting_store.readers, "the shared reader read the log"
        assert set(counting_store.readers) == {READER_NAME}


async def test_a_subscriber_resuming_from_an_older_token_gets_each_event_once_across_the_switch(
    counting_store: CountingStore, listener: Listener
) -> None:
    stream = uuid4()
    async with fanning_out(counting_store, listener, batch_size=2) as (fanout, follower):
        live = follower(await fanout.start_position())
        await until(lambda: len(fanout.subscribers) == 1)
        await append(counting_store, stream, range(1, 11), version=0)
        await live.sees(stream, 10)  # the shared reader is past all ten
        resume_after = next(e for e in live.events if e.stream_id == stream and e.version == 3)

        appending = asyncio.create_task(append(counting_store, stream, range(11, 21), version=10))
        resumed = follower(resume_after.checkpoint)
        await appending

        assert await resumed.sees(stream, 17) == list(range(4, 21))
        checkpoints = [e.checkpoint for e in resumed.events]
        assert checkpoints == sorted(set(checkpoints)), "in commit order, none twice"
        assert checkpoints[0] > resume_after.checkpoint
        assert "follower-1" in counting_store.readers, "it caught up from the log itself"
        await until(lambda: len(fanout.subscribers) == 2)  # and then joined the shared feed


async def test_closing_a_subscription_frees_its_queue(
    store: EventStore, listener: Listener
) -> None:
    others = reader_tasks()
    async with fanning_out(store, listener) as (fanout, follower):
        start = await fanout.start_position()
        first, second, third = (follower(start) for _ in range(3))
        await until(lambda: len(fanout.subscribers) == 3)

        await second.close()
        assert len(fanout.subscribers) == 2
        await first.close()
        await third.close()

        assert fanout.subscribers == set()
        assert len(reader_tasks() - others) == 1  # it stays, ready for the next subscriber
    assert reader_tasks() - others == set()


async def test_an_overflowing_subscriber_does_not_stall_the_others_and_catches_up_from_the_log(
    store: EventStore, listener: Listener
) -> None:
    stream = uuid4()
    async with fanning_out(store, listener, queue_size=1, batch_size=1) as (fanout, follower):
        start = await fanout.start_position()
        held = asyncio.Event()
        slow = follower(start, gate=held)
        fast = follower(start)
        await until(lambda: len(fanout.subscribers) == 2)

        await append(store, stream, range(1, 11), version=0)
        assert await fast.sees(stream, 10) == list(range(1, 11))
        assert fanout.overflows >= 1
        assert len(slow.of(stream)) < 10

        held.set()
        assert await slow.sees(stream, 10) == list(range(1, 11))
        checkpoints = [e.checkpoint for e in slow.events]
        assert checkpoints == sorted(set(checkpoints)), "in commit order, none twice"


async def test_an_event_held_back_by_an_open_transaction_reaches_subscribers_soon_after_it_ends(
    counting_store: CountingStore, database_url: str
) -> None:
    slow = Listener(database_url, poll_interval=5.0)  # only the fan-out's look-again counts
    await slow.start()
    stream = uuid4()
    try:
        async with fanning_out(counting_store, slow) as (fanout, follower):
            start = await fanout.start_position()
            subscriber = follower(start)
            await until(lambda: len(fanout.subscribers) == 1)
            async with counting_store.pool.acquire() as blocker, blocker.transaction():
                await blocker.fetchval("SELECT pg_current_xact_id()")  # an older transaction
                await append(counting_store, stream, [7], version=0)
                await asyncio.sleep(0.2)  # the NOTIFY has come and gone; the event waits
                assert subscriber.of(stream) == []
            loop = asyncio.get_running_loop()
            ended = loop.time()
            assert await subscriber.sees(stream, 1) == [7]
            assert loop.time() - ended < 1.0
    finally:
        await slow.stop()
