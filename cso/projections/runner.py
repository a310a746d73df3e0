"""Runs a projection: the log in commit order, each batch applied with its checkpoint.

Exactly once, also after a crash: a batch's writes and the checkpoint after it commit in
one transaction. One runner per projection across all processes (see lock.py): when the
lock holder dies, a runner elsewhere takes over from the last committed checkpoint.

A handler that raises rolls its whole batch back. The runner keeps its lock, records the
failure (`last_error`, and the checkpoint row for other processes), commits the events
before the failing one as a batch of their own, then retries the failing event alone with
exponential backoff — for as long as it takes: an event is never skipped. A poison event
therefore halts the projection just before it, visibly, until a fixed handler passes it.

Keeping pace with the writers (DESIGN §3): the runner reads the log on its own connection
(only the events it handles carry data), hands its handlers a `BatchWriter` so that a
batch's writes go out as a few pipelined multi-row writes, advances the checkpoint and
notifies in one statement, and reads bigger batches while it is behind. While it is behind
it also reads and decodes the next batch on a second connection and runs its handlers into
a writer with no connection yet (`_prepare`) as the current one is written and committed
(reading.py), so the client's work and the server's overlap. When a deferred write fails,
the batch is applied again statement by statement, which names the event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, cast

import asyncpg

from cso.eventstore import Checkpoint, Codec, EventStore, Listener, RecordedEvent
from cso.eventstore.listener import look_again_after
from cso.eventstore.sql import LOG_HELD_BACK
from cso.projections import sql
from cso.projections.base import Projection
from cso.projections.batch import BatchWriter, DeferredWriteFailed
from cso.projections.failures import (
    CheckpointMoved,
    FailureTracker,
    HandlerFailed,
    ProjectionError,
)
from cso.projections.lock import locked_connection
from cso.projections.reading import (
    YIELD_EVERY,
    LogRead,
    Undecodable,
    close_quietly,
    decode,
    read_log,
    reader_connection,
)

log = logging.getLogger(__name__)
# The longest wait between attempts to reconnect: once the database is back, a runner is
# following the log again within this (issue 12: 5 s left read models 7.6 s behind a write).
RECONNECT_MAX_SECONDS = 1.0

# Called with each committed checkpoint the runner loads or writes.
OnCommit = Callable[[str, Checkpoint], None]

# While a read comes back full the next one asks for twice as many, up to this many times
# `batch_size`: far behind, fewer and bigger transactions catch up sooner.
MAX_BATCH_GROWTH = 8


class ProjectionRunner:
    """Applies one projection's handlers to the log, batch by batch, under its lock.

    `store` is the event store the log belongs to; the runner reads the log itself, on the
    connection that holds the lock. `batch_size` is the events of a batch when caught up;
    behind, batches grow up to MAX_BATCH_GROWTH times that.

    A rebuild's shadow runner (cso.projections.rebuild) passes `checkpoint_name` (its own
    checkpoint row and lock), `search_path` (its shadow tables first) and `notify=False`
    (its commits wake no one: the live projection is the one readers wait for).
    """

    def __init__(
        self,
        projection: Projection,
        *,
        database_url: str,
        store: EventStore,
        codec: Codec,
        listener: Listener,
        batch_size: int = 500,
        retry_interval: float = 0.5,
        max_backoff: float = 60.0,
        lock_poll_interval: float = 1.0,
        on_commit: OnCommit | None = None,
        checkpoint_name: str | None = None,
        search_path: str | None = None,
        notify: bool = True,
    ) -> None:
        self.projection = projection
        self.checkpoint_name = checkpoint_name or projection.name
        self.search_path = search_path
        self._advance_sql = sql.ADVANCE_AND_NOTIFY if notify else sql.ADVANCE_CHECKPOINT
        self.database_url = database_url
        self.store = store
        self.codec = codec
        self.listener = listener
        self.batch_size = batch_size
        self.retry_interval = retry_interval
        self.max_backoff = max_backoff
        self.lock_poll_interval = lock_poll_interval
        self.on_commit = on_commit
        self.holds_lock = asyncio.Event()
        self.checkpoint: Checkpoint | None = None  # the last one this runner read or committed
        self.failures = FailureTracker(retry_interval, max_backoff)
        self._held_back = 0  # looks in a row that found events held back by the watermark
        self._limit = batch_size  # the next read's size: grows while reads come back full
        self._scopes = projection.scopes()  # once: the projection is complete by now

    @property
    def name(self) -> str:
        """The checkpoint's and the lock's name (the projection's, but for a rebuild)."""
        return self.checkpoint_name

    @property
    def last_error(self) -> ProjectionError | None:
        """The failure holding the projection back, until the failing event passes."""
        return self.failures.last_error

    async def run_forever(self) -> None:
        """Take the lock when it is free, then follow the log; reconnect after any loss."""
        lost = 0  # connections lost in a row before the checkpoint could even be read
        while True:
            self.checkpoint = None
            try:
                await self._follow()
            except Exception as exc:
                lost = 0 if self.checkpoint is not None else lost + 1
                delay = min(self.retry_interval * 2.0 ** min(lost, 10), RECONNECT_MAX_SECONDS)
                if lost <= 1:
                    log.exception("projection %s stopped; reconnecting", self.name)
                else:
                    log.warning("projection %s cannot connect (%s); retrying", self.name, exc)
                await asyncio.sleep(delay)

    async def catch_up_to(
        self, target: Checkpoint | None = None, *, timeout: float = 10.0
    ) -> Checkpoint:
        """Take the lock, apply the log at least up to `target` (else what there is), let go.

        For the CLI and tests. A failing handler raises HandlerFailed, after recording it.
        """
        async with asyncio.timeout(timeout), self._locked_connection() as conn:
            checkpoint = await self._load_checkpoint(conn)
            while True:
                armed = self.listener.arm()
                try:
                    checkpoint, _ = await self.catch_up(conn, checkpoint)
                except HandlerFailed as failure:
                    if not conn.is_closed():
                        await self._failed(conn, failure)
                    raise
                if target is None or checkpoint >= target:
                    return checkpoint
                await self._idle(conn, checkpoint, armed)

    async def _follow(self) -> None:
        async with self._locked_connection() as conn:
            checkpoint = await self._load_checkpoint(conn)
            while True:
                armed = self.listener.arm()
                try:
                    checkpoint, passed = await self.catch_up(conn, checkpoint)
                except HandlerFailed as failure:
                    if conn.is_closed():
                        raise
                    await asyncio.sleep(await self._failed(conn, failure))
                    checkpoint = await self._load_checkpoint(conn)
                    continue
                except CheckpointMoved:
                    log.warning("projection %s: checkpoint moved under the lock", self.name)
                    checkpoint = await self._load_checkpoint(conn)
                    continue
                if not passed:
                    await self._idle(conn, checkpoint, armed)
                else:
                    self._held_back = 0

    async def _idle(
        self, conn: asyncpg.Connection[Any], checkpoint: Checkpoint, armed: asyncio.Event
    ) -> None:
        """Wait for news: briefly while events are held back by the watermark, else until a
        NOTIFY (or the listener's poll)."""
        if await conn.fetchval(LOG_HELD_BACK, checkpoint.transaction_id, checkpoint.position):
            await asyncio.sleep(look_again_after(self._held_back))
            self._held_back += 1
            return
        self._held_back = 0
        await self.listener.wait(armed)

    def _locked_connection(self) -> AbstractAsyncContextManager[asyncpg.Connection[Any]]:
        return locked_connection(
            self.database_url,
            self.name,
            poll_interval=self.lock_poll_interval,
            holds_lock=self.holds_lock,
            search_path=self.search_path,
        )

    async def _load_checkpoint(self, conn: asyncpg.Connection[Any]) -> Checkpoint:
        row = await conn.fetchrow(sql.SELECT_CHECKPOINT, self.name)
        self.checkpoint = Checkpoint() if row is None else Checkpoint(row[0], row[1])
        if self.on_commit is not None:
            self.on_commit(self.name, self.checkpoint)
        return self.checkpoint

    async def catch_up(
        self, conn: asyncpg.Connection[Any], checkpoint: Checkpoint
    ) -> tuple[Checkpoint, int]:
        """Apply every available batch; return the new checkpoint and how many events passed.

        After a full read (the log has more) the next batch is read ahead on a connection of
        its own, decoded and its handlers' writes prepared (`_prepare`) while this one is
        written and committed; it is dropped if this one fails. That connection lives until
        the log is caught up (the live path, whose reads are never full, does not open it)."""
        passed = 0
        reader: asyncpg.Connection[Any] | None = None
        ahead: asyncio.Task[tuple[LogRead, BatchWriter | None]] | None = None
        prepared: BatchWriter | None = None
        try:
            read = await self._read(conn, checkpoint)
            while read.batch:
                batch = self.failures.around_suspect(read.batch)
                whole = len(batch) == len(read.batch)
                if read.full and whole:
                    if reader is None:
                        reader = await reader_connection(
                            self.database_url, self.name, search_path=self.search_path
                        )
                    ahead = asyncio.create_task(self._read_ahead(reader, batch[-1].checkpoint))
                checkpoint = await self.apply_batch(
                    conn, checkpoint, batch, read.events, prepared if whole else None
                )
                passed += len(batch)
                if ahead is not None:
                    (read, prepared), ahead = await ahead, None
                else:
                    read, prepared = await self._read(conn, checkpoint), None
        finally:
            if ahead is not None:
                ahead.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await ahead
            if reader is not None:
                await close_quietly(reader)
        return checkpoint, passed

    async def _read_ahead(
        self, reader: asyncpg.Connection[Any], after: Checkpoint
    ) -> tuple[LogRead, BatchWriter | None]:
        """The batch after `after`, read on `reader`, and its writes prepared (`_prepare`)."""
        read = await self._read(reader, after)
        return read, await self._prepare(read.batch, read.events)

    async def _prepare(
        self, batch: list[RecordedEvent], events: dict[int, Any]
    ) -> BatchWriter | None:
        """`batch`'s handlers run into a writer with no connection yet: the batch's writes,
        made while the batch before it is still written and committed, so that the runner's
        Python and the server's work overlap. None if a handler failed or needed the
        connection (a read): its turn then applies the batch as usual, which raises or
        reads in order. Handlers only queue writes, so running them early and, if dropped,
        again is safe (the retry after a failed deferred write relies on the same)."""
        writer = BatchWriter(None, keyed=self.projection.keyed, scopes=self._scopes)
        try:
            for index, recorded in enumerate(batch, 1):
                await self._apply(cast("asyncpg.Connection[Any]", writer), recorded, events)
                if index % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # let the committing batch's replies in
        except HandlerFailed:
            return None
        return writer

    async def _read(self, conn: asyncpg.Connection[Any], after: Checkpoint) -> LogRead:
        """The next batch of the log, decoded (reading.read_log); a full read makes the next
        one twice as big, up to MAX_BATCH_GROWTH times `batch_size`."""
        read = await read_log(conn, self.projection, self.codec, after, self._limit)
        self._limit = (
            min(self._limit * 2, self.batch_size * MAX_BATCH_GROWTH)
            if read.full
            else self.batch_size
        )
        return read

    async def apply_batch(
        self,
        conn: asyncpg.Connection[Any],
        after: Checkpoint,
        batch: list[RecordedEvent],
        events: dict[int, Any] | None = None,
        prepared: BatchWriter | None = None,
    ) -> Checkpoint:
        """Apply `batch` (which follows `after`) and move the checkpoint to its last event, in
        one transaction. `events` holds the batch's decoded events by position (as read);
        one missing is decoded from its `data`. `prepared` holds the batch's writes if its
        handlers already ran (`_prepare`). Raises HandlerFailed naming the failing event
        (the batch rolled back), or CheckpointMoved."""
        decoded = events if events is not None else {}
        last = batch[-1].checkpoint
        if not any(self.projection.handles(recorded.type) for recorded in batch):
            await self._advance(conn, after, last)  # one statement: atomic on its own
        else:
            try:
                async with conn.transaction():
                    if prepared is not None:
                        writer = prepared.attach(conn)
                    else:
                        writer = BatchWriter(conn, keyed=self.projection.keyed, scopes=self._scopes)
                        await self._apply_all(
                            cast("asyncpg.Connection[Any]", writer), batch, decoded
                        )
                    await writer.flush()
                    await self._advance(conn, after, last)
            except DeferredWriteFailed:
                if conn.is_closed():
                    raise
                # Rolled back. Which event wrote the failing statement is unknown once writes
                # are deferred: apply the batch again, each statement sent as it is made.
                async with conn.transaction():
                    await self._apply_all(conn, batch, decoded)
                    await self._advance(conn, after, last)
        self.checkpoint = last
        if passed := self.failures.committed(last):
            log.info("projection %s passed event %d", self.name, passed.position)
        if self.on_commit is not None:
            self.on_commit(self.name, last)
        return last

    async def _apply_all(
        self, conn: asyncpg.Connection[Any], batch: list[RecordedEvent], events: dict[int, Any]
    ) -> None:
        # (`conn` is a BatchWriter on the fast path: handlers use only what both offer.)
        for recorded in batch:
            await self._apply(conn, recorded, events)

    async def _advance(
        self, conn: asyncpg.Connection[Any], after: Checkpoint, last: Checkpoint
    ) -> None:
        advanced = await conn.fetchrow(
            self._advance_sql,
            self.name,
            after.transaction_id,
            after.position,
            last.transaction_id,
            last.position,
        )
        if advanced is None:
            raise CheckpointMoved(self.name)

    async def _apply(
        self, conn: asyncpg.Connection[Any], recorded: RecordedEvent, events: dict[int, Any]
    ) -> None:
        handler = self.projection.handlers.get(recorded.type)
        if handler is None:
            return
        try:
            event = events.get(recorded.position)
            if event is None:
                event = events[recorded.position] = decode(self.codec, recorded)
            if isinstance(event, Undecodable):
                raise event.error
            await handler(conn, event, recorded)
        except DeferredWriteFailed:
            raise  # an earlier event's write, flushed by a read: not this event's failure
        except Exception as exc:
            raise HandlerFailed(self.name, recorded) from exc

    async def _failed(self, conn: asyncpg.Connection[Any], failure: HandlerFailed) -> float:
        """Log and record the failure; return how long to wait before the next attempt."""
        delay = self.failures.failed(failure)
        error = self.failures.last_error
        assert error is not None
        if error.failures == 1:
            log.error("%s; retrying", failure, exc_info=failure.__cause__)
        else:
            log.warning(
                "%s (%d times: %s); retrying in %.1fs",
                failure,
                error.failures,
                error.message,
                delay,
            )
        await conn.execute(
            sql.RECORD_FAILURE,
            self.name,
            error.message,
            error.position,
            error.since,
            error.failures,
        )
        return delay
