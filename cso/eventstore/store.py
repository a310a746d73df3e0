"""The asyncpg event store: atomic multi-stream appends, stream reads, the log in commit order."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from cso.eventstore import sql
from cso.eventstore.append import (
    Clock,
    Entry,
    Turn,
    append_arguments,
    batch_arguments,
    bulk_arguments,
    one_event_arguments,
    single_event,
)
from cso.eventstore.batch import OUTCOME_UNKNOWN, Batcher, Pending
from cso.eventstore.errors import ConcurrencyConflict, KeysTaken, ReservationTaken
from cso.eventstore.hashing import ChainFollower, Verification
from cso.eventstore.records import (
    AppendResult,
    Checkpoint,
    Metadata,
    RecordedEvent,
    Reservation,
    Snapshot,
    StreamAppend,
)

log = logging.getLogger(__name__)

MAX_VERSION = 2**31 - 1
GAP_SQLSTATE = "CS409"  # raised by the events_no_version_gap trigger
DEADLOCK_RETRIES = 3


def _as_is(document: Any) -> dict[str, Any]:
    decoded: dict[str, Any] = document
    return decoded


def recorded_event(
    row: asyncpg.Record, document: Callable[[Any], dict[str, Any]] = _as_is
) -> RecordedEvent:
    """A row of the events table (every column); `document` turns its data and metadata
    columns into dicts, which the store's own connections have already decoded."""
    return RecordedEvent(
        position=row["position"],
        transaction_id=row["transaction_id"],
        stream_id=row["stream_id"],
        stream_type=row["stream_type"],
        version=row["version"],
        type=row["type"],
        data=document(row["data"]),
        metadata=document(row["metadata"]),
        recorded_at=row["recorded_at"],
        hash=bytes(row["hash"]),
    )


# A wake-up whose NOTIFY failed is sent again this many times, after 0.1, 0.2, 0.4 s.
WAKE_RETRIES = 3
WAKE_RETRY_SECONDS = 0.05


class EventStore:
    """Appends and reads the log through `pool`.

    `clock` stamps every event's recorded_at when given (the seed's simulated clock, tests),
    and the events' metadata then says `"clock": "simulated"`; without one, the database
    stamps each append with its own clock (the server's case), so recorded_at follows one
    clock whatever the appending processes' clocks say.
    """

    def __init__(self, pool: asyncpg.Pool[Any], *, clock: Clock | None = None) -> None:
        self.pool = pool
        self.clock = clock
        self._batcher = Batcher(self._alone, self._together)
        self._appending = 0  # appends under way in this process
        self._wake_wanted = False
        self._waker: asyncio.Task[None] | None = None

    def with_clock(self, clock: Clock | None) -> EventStore:
        """This store (same pool, same class) with `clock` stamping its appends instead."""
        clocked = copy.copy(self)
        clocked.clock = clock
        clocked._appending, clocked._wake_wanted, clocked._waker = 0, False, None
        clocked._batcher = Batcher(clocked._alone, clocked._together)
        return clocked

    async def append(
        self,
        streams: Sequence[StreamAppend],
        metadata: Metadata,
        *,
        reservations: Sequence[Reservation] = (),
        releases: Sequence[Reservation] = (),
        snapshots: Sequence[Snapshot] = (),
        outcome: Mapping[str, str] | None = None,
    ) -> AppendResult:
        """Append to one or more streams atomically; a used idempotency key replays its result.

        `outcome` is the caller's own answer (ids it made up, say); it is kept with the
        idempotency key, so a retry gets the first answer back, not a new one.
        """
        key = metadata.idempotency_key
        if key is not None and (earlier := await self.idempotent_result(key)) is not None:
            return earlier
        for attempt in range(DEADLOCK_RETRIES + 1):
            try:
                with self._overlapping() as overlapping:
                    result = await self._append_once(
                        streams,
                        metadata,
                        reservations,
                        releases,
                        snapshots,
                        dict(outcome or {}),
                        notify=not overlapping,
                    )
                if overlapping:
                    self._wake()
                return result
            except (asyncpg.PostgresError, ConcurrencyConflict) as exc:
                # A concurrent duplicate (same key) got there first: give its answer.
                if key is not None and (earlier := await self.idempotent_result(key)) is not None:
                    return earlier
                if isinstance(exc, ConcurrencyConflict):
                    raise
                # Appends that share streams, given in opposite orders, can deadlock; the
                # victim was rolled back whole, so run it again behind the winner.
                if isinstance(exc, asyncpg.DeadlockDetectedError) and attempt < DEADLOCK_RETRIES:
                    continue
                refusal = await self._refusal(exc, streams, reservations)
                if refusal is exc:
                    raise
                raise refusal from None
        raise AssertionError("unreachable")

    async def append_turns(self, turns: Sequence[Turn]) -> list[AppendResult]:
        """Several commands' appends onto one stream (`turns`, in order, each expected
        version where the one before ends) as one transaction; each turn's result carries
        the checkpoint, version and hash of its own last event, and its outcome.

        Raises ConcurrencyConflict when the stream is not at the first turn's expected
        version; KeysTaken when concurrent requests took some of the turns' idempotency
        keys; an OUTCOME_UNKNOWN error as it came (the COMMIT may have gone through);
        else the database's error. Nothing is appended when it raises, OUTCOME_UNKNOWN aside.
        """
        with self._overlapping() as overlapping:
            arguments, versions, last_events = batch_arguments(
                turns, clock=self.clock, notify=not overlapping
            )
            try:
                row = await self.pool.fetchrow(sql.APPEND_BATCH, *arguments)
            except OUTCOME_UNKNOWN:
                raise
            except asyncpg.PostgresError as exc:
                earlier = {}
                for n, turn in enumerate(turns):
                    key = turn.metadata.idempotency_key
                    if key is not None and (kept := await self.idempotent_result(key)):
                        earlier[n] = kept
                if earlier:
                    raise KeysTaken(earlier) from None
                refusal = await self._refusal(exc, [turns[0].stream], ())
                if refusal is exc:
                    raise
                raise refusal from None
        if overlapping:
            self._wake()
        assert row is not None
        stream_id = turns[0].stream.stream_id
        return [
            AppendResult(
                Checkpoint(row["transaction_id"], row["positions"][last]),
                {stream_id: version},
                hashes={stream_id: row["hashes"][last]},
                outcome=turn.outcome,
            )
            for turn, version, last in zip(turns, versions, last_events, strict=True)
        ]

    async def append_entries(
        self,
        entries: Sequence[Entry],
        *,
        reservations: Sequence[Reservation] = (),
        releases: Sequence[Reservation] = (),
        snapshots: Sequence[Snapshot] = (),
    ) -> AppendResult:
        """Several commands' appends, each with its own metadata and recorded time, as one
        statement (a bulk load's: the seed's); `entries` as `bulk_arguments` takes them.
        The result has each stream's version and last hash, and the last event's checkpoint.
        Raises ConcurrencyConflict, ReservationTaken, or the database's error; nothing is
        appended when it raises."""
        arguments, versions = bulk_arguments(
            entries, reservations=reservations, releases=releases, snapshots=snapshots
        )
        try:
            row = await self.pool.fetchrow(sql.APPEND, *arguments)
        except asyncpg.PostgresError as exc:
            refusal = await self._refusal(exc, [entry.stream for entry in entries], reservations)
            if refusal is exc:
                raise
            raise refusal from None
        assert row is not None
        hashes = dict(zip(arguments[0], row["hashes"], strict=True))  # each stream's last
        checkpoint = Checkpoint(row["transaction_id"], row["position"])
        return AppendResult(checkpoint, versions, hashes=hashes)

    @contextlib.contextmanager
    def _overlapping(self) -> Iterator[bool]:
        """Whether another append in this process is under way (see `_wake`)."""
        overlapping = self._appending > 0
        self._appending += 1
        try:
            yield overlapping
        finally:
            self._appending -= 1

    async def _append_once(
        self,
        streams: Sequence[StreamAppend],
        metadata: Metadata,
        reservations: Sequence[Reservation],
        releases: Sequence[Reservation],
        snapshots: Sequence[Snapshot],
        outcome: dict[str, str],
        *,
        notify: bool,
    ) -> AppendResult:
        """One statement, so atomic on its own: sql.APPEND_ONE for one event onto one
        stream, else the append function of migration 0015."""
        metadata_json = metadata.as_json()
        if self.clock is not None:
            metadata_json["clock"] = "simulated"
        key = metadata.idempotency_key
        if single_event(streams, reservations, releases, snapshots):
            if key is None:  # appends of several callers may share a statement (batch.py)
                return await self._batcher.append(
                    Pending(streams[0], metadata_json, outcome, notify)
                )
            (stream,) = streams
            arguments = one_event_arguments(
                stream, metadata_json, clock=self.clock, key=key, outcome=outcome
            )
            row = await self.pool.fetchrow(sql.APPEND_ONE[notify, True], *arguments)
            assert row is not None
            versions = {stream.stream_id: arguments[2]}
            hashes = {stream.stream_id: row["hash"]}
        else:
            arguments, versions = append_arguments(
                streams,
                [metadata_json] * len(streams),
                clock=self.clock,
                notify=notify,
                reservations=reservations,
                releases=releases,
                snapshots=snapshots,
                key=key,
                outcome=outcome,
            )
            row = await self.pool.fetchrow(sql.APPEND, *arguments)
            assert row is not None
            hashes = dict(zip(arguments[0], row["hashes"], strict=True))  # each stream's last
        checkpoint = Checkpoint(row["transaction_id"], row["position"])
        return AppendResult(checkpoint, versions, hashes=hashes, outcome=outcome)

    async def _alone(self, pending: Pending) -> AppendResult:
        """One caller's one-event append, as one statement of its own."""
        stream = pending.stream
        arguments = one_event_arguments(
            stream, pending.metadata, clock=self.clock, key=None, outcome=None
        )
        row = await self.pool.fetchrow(sql.APPEND_ONE[pending.notify, False], *arguments)
        assert row is not None
        return AppendResult(
            Checkpoint(row["transaction_id"], row["position"]),
            {stream.stream_id: arguments[2]},
            hashes={stream.stream_id: row["hash"]},
            outcome=pending.outcome,
        )

    async def _together(self, batch: list[Pending]) -> list[AppendResult]:
        """Several callers' one-event appends (one stream each) as one statement; the
        appends overlap others, so `_wake` sends the NOTIFY after (see `append`)."""
        streams = [pending.stream for pending in batch]
        arguments, versions = append_arguments(
            streams, [pending.metadata for pending in batch], clock=self.clock, notify=False
        )
        row = await self.pool.fetchrow(sql.APPEND, *arguments)
        assert row is not None
        return [
            AppendResult(
                Checkpoint(row["transaction_id"], position),
                {stream.stream_id: versions[stream.stream_id]},
                hashes={stream.stream_id: hash_},
                outcome=pending.outcome,
            )
            for pending, stream, position, hash_ in zip(
                batch, streams, row["positions"], row["hashes"], strict=True
            )
        ]

    async def _refusal(
        self,
        exc: asyncpg.PostgresError,
        streams: Sequence[StreamAppend],
        reservations: Sequence[Reservation],
    ) -> Exception:
        """The error a caller can act on for a failed append, or `exc` itself."""
        if isinstance(exc, asyncpg.UniqueViolationError):
            if exc.constraint_name == "reservations_pkey":
                return self._taken(exc, reservations)
            return await self._conflict(streams)
        if isinstance(exc, asyncpg.NotNullViolationError) and exc.column_name == "hash":
            return await self._conflict(streams)  # no previous event to chain from
        if isinstance(exc, asyncpg.DeadlockDetectedError) or exc.sqlstate == GAP_SQLSTATE:
            return await self._conflict(streams)
        return exc

    def _wake(self) -> None:
        """NOTIFY listeners after a commit, at most one NOTIFY at a time per process.

        Every append is followed by a NOTIFY sent after it commits. An append that runs
        alone in this process sends it inside its own transaction, which costs nothing
        extra. But a NOTIFY holds PostgreSQL's notify-queue lock through its transaction's
        commit flush, so when appends overlap, NOTIFYs in each of them would make them
        commit one at a time (bench/eventstore.py measured about half the throughput at
        32 writers). Overlapping appends therefore leave it to this sender, which runs
        after their commits and coalesces: an append that commits while a NOTIFY is on its
        way asks for one more round. Readers never depend on NOTIFY: they also poll, and
        they read the log itself.
        """
        self._wake_wanted = True
        if self._waker is None or self._waker.done():
            self._waker = asyncio.get_running_loop().create_task(self._send_wakeups())

    async def _send_wakeups(self) -> None:
        """Send NOTIFYs while rounds are wanted. Nobody awaits this task, so it never
        raises: a NOTIFY that fails (a connection that broke mid-query) is sent again on
        another of the pool's connections, a few times, before readers are left to poll."""
        failures = 0
        while self._wake_wanted:
            self._wake_wanted = False
            try:
                await self.pool.execute(sql.NOTIFY_APPENDED)
                failures = 0
            except Exception as exc:  # nobody awaits this task: see the docstring
                failures += 1
                if failures > WAKE_RETRIES:
                    # The events are committed; nobody is left to tell but the log.
                    log.warning("could not NOTIFY after an append (readers will poll): %s", exc)
                    return
                self._wake_wanted = True  # this round is not lost: send it again
                await asyncio.sleep(WAKE_RETRY_SECONDS * 2**failures)

    async def close(self) -> None:
        """Let the last batch and wake-up go out before the pool closes."""
        await self._batcher.close()
        if self._waker is not None:
            await self._waker

    @staticmethod
    def _taken(
        exc: asyncpg.UniqueViolationError, wanted: Sequence[Reservation]
    ) -> ReservationTaken:
        detail = exc.detail or ""
        for reservation in wanted:  # the detail names the clashing key
            if f"({reservation.scope}, {reservation.value})" in detail:
                return ReservationTaken(reservation.scope, reservation.value)
        first = wanted[0]
        return ReservationTaken(first.scope, first.value)

    async def _conflict(self, streams: Sequence[StreamAppend]) -> ConcurrencyConflict:
        seen: set[UUID] = set()
        for stream in streams:
            # A stream continued by a later entry of a bulk append expects where the earlier
            # entry ends: only its first entry's expectation is the stored version's.
            if stream.stream_id in seen:
                continue
            seen.add(stream.stream_id)
            current = await self.stream_version(stream.stream_id)
            if current != stream.expected_version:
                return ConcurrencyConflict(stream.stream_id, stream.expected_version, current)
        first = streams[0]
        return ConcurrencyConflict(first.stream_id, first.expected_version, first.expected_version)

    async def keep_idempotent_result(self, key: str, result: AppendResult) -> AppendResult:
        """Keep `result` under `key` for a command that appended nothing (it asked for what
        already was): the key is then spent like any other. Returns `result`, or the result
        kept first when another request took the key (replayed)."""
        if await self.pool.fetchval(sql.KEEP_IDEMPOTENCY_KEY, key, result.as_json()) is not None:
            return result
        earlier = await self.idempotent_result(key)
        if earlier is None:  # kept keys are never deleted: a broken invariant, not input
            raise RuntimeError(f"idempotency key {key[:80]!r} was taken but holds no result")
        return earlier

    async def idempotent_result(self, key: str) -> AppendResult | None:
        data = await self.pool.fetchval(sql.SELECT_IDEMPOTENCY_RESULT, key)
        return None if data is None else AppendResult.from_json(data)

    async def stream_version(self, stream_id: UUID) -> int:
        version: int = await self.pool.fetchval(sql.SELECT_STREAM_VERSION, stream_id)
        return version

    async def read_stream(
        self, stream_id: UUID, *, from_version: int = 1, to_version: int | None = None
    ) -> list[RecordedEvent]:
        rows = await self.pool.fetch(
            sql.SELECT_STREAM,
            stream_id,
            from_version,
            MAX_VERSION if to_version is None else to_version,
        )
        return [recorded_event(row) for row in rows]

    async def version_at(self, stream_id: UUID, moment: datetime) -> int | None:
        """The last version recorded at or before `moment`; None if none was."""
        version: int | None = await self.pool.fetchval(sql.SELECT_VERSION_AT, stream_id, moment)
        return version

    async def read_raw(
        self, stream_id: UUID, *, after_version: int = 0, to_version: int | None = None
    ) -> list[asyncpg.Record]:
        """Rows of (version, type, data as text, hash), for replay through the codec."""
        return await self.pool.fetch(
            sql.SELECT_STREAM_RAW,
            stream_id,
            after_version,
            MAX_VERSION if to_version is None else to_version,
        )

    async def latest_snapshot(
        self, stream_id: UUID, *, to_version: int | None = None
    ) -> asyncpg.Record | None:
        return await self.pool.fetchrow(
            sql.SELECT_SNAPSHOT, stream_id, MAX_VERSION if to_version is None else to_version
        )

    async def read_log(self, after: Checkpoint, limit: int = 500) -> list[RecordedEvent]:
        """The next events in commit order after `after`, only from finished transactions."""
        rows = await self.pool.fetch(
            sql.SELECT_LOG_AFTER, after.transaction_id, after.position, limit
        )
        return [recorded_event(row) for row in rows]

    async def held_back(self, after: Checkpoint) -> bool:
        """Whether committed events after `after` wait behind an older open transaction:
        `read_log` will return them once it ends, and no NOTIFY will say when."""
        found: bool = await self.pool.fetchval(
            sql.LOG_HELD_BACK, after.transaction_id, after.position
        )
        return found

    async def head(self) -> Checkpoint:
        """Where a reader that wants only what comes next starts: nothing committed after this
        call lies at or behind it. It can lag the newest event while older transactions are
        open; to wait for one's own write, use the append's token instead."""
        row = await self.pool.fetchrow(sql.SELECT_HEAD)
        return Checkpoint() if row is None else Checkpoint(row[0], row[1])

    async def newest(self) -> Checkpoint:
        """The checkpoint of the newest committed event (START on an empty log). Unlike
        `head`, an older transaction still open does not hold it back: a reader has read
        everything committed now only once it has passed this."""
        row = await self.pool.fetchrow(sql.SELECT_NEWEST)
        return Checkpoint() if row is None else Checkpoint(row[0], row[1])

    async def verify_stream(self, stream_id: UUID) -> Verification:
        """Recompute the stream's hash chain; the first version that breaks it, if any."""
        follower = ChainFollower()
        for event in await self.read_stream(stream_id):
            if not follower.follows(event):
                return Verification(False, follower.checked, follower.first_bad_version)
        return Verification(ok=True, events_checked=follower.checked)
