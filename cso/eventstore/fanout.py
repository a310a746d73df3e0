"""One log reader per process, its batches handed to every subscriber's bounded queue.

The reader starts with the first subscriber and follows the log in commit order from before
every transaction that may still commit. A subscriber that starts behind the reader (an older
`after:` token) reads the log itself up to where the reader stood when it joined, then takes
the shared feed: everything the reader reads after that point lands in its queue, so nothing is
missed and nothing comes twice.

A subscriber too slow to keep its queue from overflowing is detached, never waited for: once
it has drained its queue it catches up from the log itself, from its own checkpoint, and joins
again. It loses nothing; it only pays its own log queries for as long as it is behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import AsyncGenerator

import asyncpg

from cso.eventstore import sql
from cso.eventstore.listener import Listener, look_again_after
from cso.eventstore.records import Checkpoint, RecordedEvent
from cso.eventstore.store import EventStore

log = logging.getLogger(__name__)

LAST_POSITION = 2**63 - 1
READER_NAME = "cso-fanout"

Batch = list[RecordedEvent]


class Subscriber:
    """One follower's place on the shared feed: its queue, and whether it is still on it."""

    def __init__(self, joined: Checkpoint, queue_size: int) -> None:
        self.joined = joined  # the reader's position when it joined: the queue holds what follows
        self.queue: asyncio.Queue[Batch | None] = asyncio.Queue(queue_size)
        self.detached = False  # overflowed: the queue got no more batches after it filled
        self.closed = False  # the fan-out stopped

    def offer(self, batch: Batch) -> bool:
        """Hand over a batch without waiting; False (and detached) when the queue is full."""
        try:
            self.queue.put_nowait(batch)
        except asyncio.QueueFull:
            self.detached = True
            return False
        return True

    def close(self) -> None:
        self.closed = True
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)  # a full queue is drained first, then `closed` is seen


class Fanout:
    def __init__(
        self,
        store: EventStore,
        listener: Listener,
        *,
        queue_size: int = 64,
        batch_size: int = 500,
    ) -> None:
        self.store = store
        self.listener = listener
        self.queue_size = queue_size
        self.batch_size = batch_size
        self.subscribers: set[Subscriber] = set()
        self.overflows = 0
        self._position: Checkpoint | None = None
        self._task: asyncio.Task[None] | None = None
        self._starting = asyncio.Lock()
        self._stopped = False

    async def start_position(self) -> Checkpoint:
        """Before every transaction that may still commit: nothing committed later lies behind."""
        oldest_open: int = await self.store.pool.fetchval(sql.SELECT_WATERMARK)
        return Checkpoint(oldest_open - 1, LAST_POSITION)

    async def follow(self, after: Checkpoint) -> AsyncGenerator[Batch, None]:
        """Batches of the log in commit order after `after`, for as long as the caller iterates.

        Close it (`contextlib.aclosing`) to leave the feed: its queue goes with it.
        """
        checkpoint = after
        while True:
            subscriber = await self._attach()
            try:
                async for batch in self._catch_up(checkpoint, subscriber.joined):
                    checkpoint = batch[-1].checkpoint
                    yield batch
                checkpoint = max(checkpoint, subscriber.joined)
                while True:
                    if subscriber.queue.empty():
                        if subscriber.closed:
                            return
                        if subscriber.detached:
                            break  # caught up with what it was given: rejoin from the log
                    queued = await subscriber.queue.get()
                    if queued is None:
                        return
                    fresh = [event for event in queued if event.checkpoint > checkpoint]
                    if fresh:
                        checkpoint = fresh[-1].checkpoint
                        yield fresh
            finally:
                self.subscribers.discard(subscriber)

    async def stop(self) -> None:
        self._stopped = True
        for subscriber in self.subscribers:
            subscriber.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _attach(self) -> Subscriber:
        if self._stopped:
            raise RuntimeError("the fan-out has stopped")
        async with self._starting:
            if self._task is None:
                self._position = await self.start_position()
                # A context of its own: not the first subscriber's request (correlation id).
                reading = self._read()
                self._task = asyncio.create_task(
                    reading, name=READER_NAME, context=contextvars.Context()
                )
        assert self._position is not None
        # No await from here on: the queue gets every batch read after `joined`.
        subscriber = Subscriber(self._position, self.queue_size)
        self.subscribers.add(subscriber)
        return subscriber

    async def _catch_up(self, after: Checkpoint, until: Checkpoint) -> AsyncGenerator[Batch, None]:
        """The log after `after` up to `until`, which lies below the watermark: all settled."""
        checkpoint = after
        while checkpoint < until:
            batch = await self.store.read_log(checkpoint, self.batch_size)
            mine = [event for event in batch if event.checkpoint <= until]
            if mine:
                checkpoint = mine[-1].checkpoint
                yield mine
            if len(mine) < self.batch_size:
                return

    async def _read(self) -> None:
        held_back = 0  # looks in a row that found events held back by the watermark
        while True:
            armed = self.listener.arm()
            assert self._position is not None
            try:
                batch = await self.store.read_log(self._position, self.batch_size)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("fan-out cannot read the log (%s); retrying", exc)
                await self.listener.wait(armed)
                continue
            if batch:
                self._position = batch[-1].checkpoint
                self._hand_over(batch)
                if len(batch) == self.batch_size:
                    continue
            elif await self.store.held_back(self._position):
                await asyncio.sleep(look_again_after(held_back))
                held_back += 1
                continue
            held_back = 0
            await self.listener.wait(armed)

    def _hand_over(self, batch: Batch) -> None:
        for subscriber in list(self.subscribers):
            if not subscriber.offer(batch):
                self.subscribers.discard(subscriber)
                self.overflows += 1
                log.warning("a subscriber fell behind; it catches up from the log")
