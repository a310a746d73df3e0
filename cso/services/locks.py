"""One command per aggregate at a time in this process: per-stream locks, taken in id order."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from uuid import UUID


@dataclass
class _Entry:
    held: bool = False
    waiters: deque[asyncio.Future[None]] = field(default_factory=deque)


class StreamLocks:
    """First-come, first-served locks by stream id, one registry per `Application`.

    An entry exists only while someone holds or awaits its lock, so memory follows the
    streams in use, never the number of streams ever touched.
    """

    def __init__(self) -> None:
        self._entries: dict[UUID, _Entry] = {}

    def __len__(self) -> int:
        """How many streams are locked or awaited right now."""
        return len(self._entries)

    def try_acquire(self, stream_id: UUID) -> bool:
        """Take the lock if nobody holds or awaits it; never waits."""
        if stream_id in self._entries:
            return False
        self._entries[stream_id] = _Entry(held=True)
        return True

    async def acquire(self, stream_id: UUID) -> None:
        """Take the lock, after those who asked before (cancellation-safe)."""
        entry = self._entries.get(stream_id)
        if entry is None:
            self._entries[stream_id] = _Entry(held=True)
            return
        waiter = asyncio.get_running_loop().create_future()
        entry.waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release(stream_id)  # handed over just as we were cancelled: pass it on
            else:
                if waiter in entry.waiters:  # a release may have skipped it already
                    entry.waiters.remove(waiter)
                self._drop_if_unused(stream_id, entry)
            raise

    def release(self, stream_id: UUID) -> None:
        """Hand the lock to the next waiter, or drop the entry when nobody waits."""
        entry = self._entries[stream_id]
        while entry.waiters:
            waiter = entry.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # ownership passes on; `held` stays true
                return
        entry.held = False
        self._drop_if_unused(stream_id, entry)

    def _drop_if_unused(self, stream_id: UUID, entry: _Entry) -> None:
        if not entry.held and not entry.waiters and self._entries.get(stream_id) is entry:
            del self._entries[stream_id]


class LockOrderBroken(Exception):
    """A command needs a stream that sorts below one it holds, and someone else holds it.

    Waiting could deadlock; the command lets go of everything and re-runs with `streams`
    (all it knows it needs) locked up front, in order.
    """

    def __init__(self, streams: frozenset[UUID]) -> None:
        super().__init__(f"re-run with {len(streams)} streams locked in order")
        self.streams = streams


class CommandLocks:
    """The locks one command holds, across its attempts.

    A command waits only for a stream that sorts above every stream it holds, so no two
    commands can wait for each other. A lower one is taken only if it is free at once;
    otherwise `LockOrderBroken` asks for a re-run with all known streams locked in order.
    """

    def __init__(self, registry: StreamLocks) -> None:
        self.registry = registry
        self.held: set[UUID] = set()

    async def lock(self, stream_id: UUID) -> None:
        """Hold `stream_id` (at once if held already); raises LockOrderBroken, see above."""
        if stream_id in self.held:
            return
        if not self.held or stream_id > max(self.held):
            await self.registry.acquire(stream_id)
        elif not self.registry.try_acquire(stream_id):
            raise LockOrderBroken(frozenset(self.held | {stream_id}))
        self.held.add(stream_id)

    async def lock_in_order(self, streams: frozenset[UUID]) -> None:
        """Let go of everything, then take `streams` in ascending order."""
        self.release_all()
        for stream_id in sorted(streams):
            await self.registry.acquire(stream_id)
            self.held.add(stream_id)

    def release_all(self) -> None:
        for stream_id in self.held:
            self.registry.release(stream_id)
        self.held.clear()
