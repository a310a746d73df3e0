"""Group commit in the process: one-event appends that queue up go as one statement.

Under load most of an append's cost is per statement and per commit, not per event: a
round trip, the statement's start-up, a WAL flush. So only a few one-event appends run
at a time (`lanes`); the ones that arrive meanwhile wait, and the next free lane takes
every one of them as a single call of the append function (migration 0015), one stream
each. Each caller still gets its own result: its event's checkpoint, version and hash.

A batch is one transaction, so one refused append (a conflict, a gap) would refuse the
rest with it: when a batch fails, each of its appends runs again alone, and only the
ones at fault see the error. A single writer never waits: with a lane free, an append
goes straight out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg

from cso.eventstore.records import AppendResult, StreamAppend

# The connection broke or timed out mid-batch: its COMMIT may have gone through, so running
# each append again could append it twice (a conflict with itself, which the application
# would re-run on fresh state). Each caller gets the error instead; a retry with the same
# idempotency key finds what was committed.
OUTCOME_UNKNOWN = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions._base.InternalClientError,
)

LANES = 2  # measured at 32 writers on 2 cores: 1, 2, 4, 8 lanes gave 1.4k, 1.85k, 1.3k, 1.2k/s


@dataclass
class Pending:
    """One caller's append, waiting for a lane."""

    stream: StreamAppend
    metadata: dict[str, Any]
    outcome: dict[str, str]
    notify: bool  # alone, NOTIFY inside its own statement (see EventStore._wake)
    result: asyncio.Future[AppendResult] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


Alone = Callable[[Pending], Awaitable[AppendResult]]
Together = Callable[[list[Pending]], Awaitable[list[AppendResult]]]


class Batcher:
    """Runs `alone` when a lane is free, else queues the append for `together`."""

    def __init__(self, alone: Alone, together: Together, *, lanes: int | None = None) -> None:
        self.alone = alone
        self.together = together
        self.lanes = LANES if lanes is None else lanes
        self._busy = 0
        self._queue: list[Pending] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def append(self, pending: Pending) -> AppendResult:
        """The append's result, or the error it alone would have raised."""
        if self._busy < self.lanes and not self._queue:
            self._busy += 1
            try:
                return await self.alone(pending)
            finally:
                self._busy -= 1
                self._next()
        self._queue.append(pending)
        self._next()
        return await pending.result

    def _next(self) -> None:
        """Send what waits, if a lane is free: one append per stream per batch (a second
        one for a stream builds on the first, so it waits for the next batch)."""
        if not self._queue or self._busy >= self.lanes:
            return
        batch: list[Pending] = []
        rest: list[Pending] = []
        streams: set[UUID] = set()
        for pending in self._queue:
            if pending.result.done():  # its caller was cancelled
                continue
            target = batch if pending.stream.stream_id not in streams else rest
            streams.add(pending.stream.stream_id)
            target.append(pending)
        self._queue = rest
        if not batch:
            return
        self._busy += 1
        task = asyncio.get_running_loop().create_task(self._send(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, batch: list[Pending]) -> None:
        try:
            if len(batch) == 1:
                await _settle(batch[0], self.alone)
            else:
                try:
                    results = await self.together(batch)
                except OUTCOME_UNKNOWN as exc:
                    for pending in batch:
                        if not pending.result.done():
                            pending.result.set_exception(exc)
                except Exception:
                    # One of them was refused (the batch rolled back): each again alone, so
                    # each caller gets its own answer.
                    await asyncio.gather(*(_settle(pending, self.alone) for pending in batch))
                else:
                    for pending, result in zip(batch, results, strict=True):
                        if not pending.result.done():
                            pending.result.set_result(result)
        finally:
            self._busy -= 1
            self._next()

    async def close(self) -> None:
        """Let the batches under way finish."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


async def _settle(pending: Pending, alone: Alone) -> None:
    try:
        result = await alone(pending)
    except Exception as exc:
        if not pending.result.done():
            pending.result.set_exception(exc)
    else:
        if not pending.result.done():
            pending.result.set_result(result)
