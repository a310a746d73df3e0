"""Wake-ups on append: LISTEN on a dedicated connection, with polling as the fallback."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from cso.eventstore.records import Checkpoint, RecordedEvent
from cso.eventstore.store import EventStore

log = logging.getLogger(__name__)

CHANNEL = "cso_events"
# The longest wait between attempts to reconnect, so LISTEN resumes within a second of the
# database's return.
RECONNECT_MAX_SECONDS = 1.0


class Listener:
    """Tells waiting readers that something was appended; waiting never outlasts `poll_interval`.

    A missed notification (a dropped connection, a reader that was busy) costs at most one
    poll interval, never an event: readers always re-read the log after waking.
    """

    def __init__(self, dsn: str, *, poll_interval: float = 1.0) -> None:
        self.dsn = dsn
        self.poll_interval = poll_interval
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="cso-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def notify(self, *_: Any) -> None:
        event, self._wakeup = self._wakeup, asyncio.Event()
        event.set()

    def arm(self) -> asyncio.Event:
        """Take before reading, then `wait(armed)`: an append in between is not missed."""
        return self._wakeup

    async def wait(self, armed: asyncio.Event | None = None, timeout: float | None = None) -> bool:
        """Wait for the next append anywhere; False when the poll interval ran out first."""
        event = armed or self._wakeup
        try:
            await asyncio.wait_for(event.wait(), timeout or self.poll_interval)
        except TimeoutError:
            return False
        return True

    async def _run(self) -> None:
        backoff = 0.1
        while True:
            try:
                conn: asyncpg.Connection[Any] = await asyncpg.connect(self.dsn)
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("listener cannot connect (%s); retrying", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, RECONNECT_MAX_SECONDS)
                continue
            closed = asyncio.Event()
            conn.add_termination_listener(lambda _, closed=closed: closed.set())
            try:
                await conn.add_listener(CHANNEL, self.notify)
                self.connected.set()
                backoff = 0.1
                self.notify()  # whatever was appended while we were away
                await closed.wait()
                log.warning("listener connection lost; reconnecting")
            finally:
                self.connected.clear()
                with contextlib.suppress(Exception):
                    await conn.close(timeout=1)


async def follow(
    store: EventStore,
    listener: Listener,
    after: Checkpoint,
    *,
    batch_size: int = 500,
) -> AsyncIterator[list[RecordedEvent]]:
    """Batches of the log in commit order, from `after` on, for as long as the caller iterates."""
    checkpoint = after
    while True:
        armed = listener.arm()
        batch = await store.read_log(checkpoint, batch_size)
        if batch:
            checkpoint = batch[-1].checkpoint
            yield batch
            if len(batch) == batch_size:
                continue
        await listener.wait(armed)


def look_again_after(looks: int) -> float:
    """Seconds a log reader waits before its `looks`+1-th look while committed events wait
    behind an older open transaction (the watermark): 2 ms, doubling to 100 ms. No NOTIFY
    comes when that transaction ends, and the poll fallback is much further away."""
    return min(0.002 * 2.0**looks, 0.1)
