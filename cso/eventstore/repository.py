"""Aggregates in and out of the store: snapshots bound cold loads, a cache makes warm ones cheap."""

from __future__ import annotations

import dataclasses
import pickle
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from cso.eventstore.append import Turn
from cso.eventstore.codec import Codec
from cso.eventstore.errors import StreamNotFound
from cso.eventstore.records import AppendResult, Metadata, Reservation, Snapshot, StreamAppend
from cso.eventstore.store import EventStore

A = TypeVar("A", bound=Aggregate)


class Repository:
    """Loads aggregates by replay and saves their pending events.

    The cache keeps one instance per stream at the latest version this process has seen,
    and nobody else ever holds it: `get` hands out a copy, `save` keeps a copy. So a
    command that fails half-way (a rule refused it, another process wrote first) leaves
    the cache as it was, and its re-run fast-forwards the cached instance with the events
    after its version instead of loading from the snapshot. Another process may have
    appended since, so a cached aggregate is always fast-forwarded before it is handed out.
    """

    def __init__(
        self,
        store: EventStore,
        codec: Codec,
        *,
        snapshot_interval: int = 100,
        cache_size: int = 1000,
    ) -> None:
        self.store = store
        self.codec = codec
        self.snapshot_interval = snapshot_interval
        self.cache_size = cache_size
        self._cache: OrderedDict[UUID, tuple[Aggregate, bytes]] = OrderedDict()
        # (stream, version) -> that event's hash; events never change, so any entry stays true.
        self._hashes: OrderedDict[tuple[UUID, int], bytes] = OrderedDict()

    async def get(
        self,
        aggregate_id: UUID,
        kind: type[A],
        *,
        version: int | None = None,
        as_of: datetime | None = None,
    ) -> A:
        """The aggregate now (a copy the caller owns), or replayed to `version` and/or the
        moment `as_of`. Raises StreamNotFound, also when the stream is of another kind.

        A moment stands for the last version recorded by then, and the replay takes every
        event up to that version: recorded_at need not grow with the version (a seed's clock
        may go back), and filtering events by it could leave one out.
        """
        if version is None and as_of is None:
            return await self._current(aggregate_id, kind)
        if as_of is not None:
            at_moment = await self.store.version_at(aggregate_id, as_of)
            if at_moment is None:  # nothing recorded by then
                raise StreamNotFound(aggregate_id)
            version = at_moment if version is None else min(version, at_moment)
        aggregate, last_hash = await self._from_snapshot(aggregate_id, version)
        aggregate, last_hash = await self._replay(aggregate_id, aggregate, last_hash, version)
        if not isinstance(aggregate, kind):
            raise StreamNotFound(aggregate_id)
        self._remember_hash(aggregate_id, aggregate.version, last_hash)
        return aggregate

    async def _current(self, aggregate_id: UUID, kind: type[A]) -> A:
        cached = self._cache.get(aggregate_id)
        if cached is None:
            aggregate, last_hash = await self._from_snapshot(aggregate_id, None)
            aggregate, last_hash = await self._replay(aggregate_id, aggregate, last_hash, None)
            if aggregate is None:
                raise StreamNotFound(aggregate_id)
            aggregate, last_hash = self._keep(aggregate, last_hash)
        else:
            rows = await self.store.read_raw(aggregate_id, after_version=cached[0].version)
            aggregate, last_hash = self._fast_forward(aggregate_id, cached, rows)
        if not isinstance(aggregate, kind):
            raise StreamNotFound(aggregate_id)
        self._remember_hash(aggregate_id, aggregate.version, last_hash)
        return _copy(aggregate)

    async def _replay(
        self, aggregate_id: UUID, aggregate: Any, last_hash: bytes, version: int | None
    ) -> tuple[Any, bytes]:
        rows = await self.store.read_raw(
            aggregate_id,
            after_version=0 if aggregate is None else aggregate.version,
            to_version=version,
        )
        for row in rows:
            event = self.codec.decode(aggregate_id, row["version"], row["type"], row["data"])
            aggregate = event.mutate(aggregate)
            last_hash = bytes(row["hash"])
        if rows:
            _recorded_at(aggregate, rows[-1])
            if rows[0]["version"] == 1:
                aggregate._created_on = rows[0]["recorded_at"]
        return aggregate, last_hash

    def _fast_forward(
        self, aggregate_id: UUID, read_from: tuple[Aggregate, bytes], rows: Sequence[Any]
    ) -> tuple[Aggregate, bytes]:
        """Apply stored events to the cached instance, in place.

        While the rows were read, another caller may have advanced or replaced the entry:
        only the rows after its version are applied, and no await splits the loop.
        """
        aggregate, last_hash = self._cache.get(aggregate_id) or read_from
        for row in rows:
            if row["version"] != aggregate.version + 1:
                continue  # applied already by whoever advanced the entry meanwhile
            event = self.codec.decode(aggregate_id, row["version"], row["type"], row["data"])
            aggregate = event.mutate(aggregate)
            last_hash = bytes(row["hash"])
            _recorded_at(aggregate, row)
        return self._keep(aggregate, last_hash)

    async def _from_snapshot(
        self, aggregate_id: UUID, version: int | None
    ) -> tuple[Aggregate | None, bytes]:
        row = await self.store.latest_snapshot(aggregate_id, to_version=version)
        if row is None:
            return None, b""
        aggregate = self.codec.decode_snapshot(
            aggregate_id, row["version"], row["type"], row["state"]
        )
        _recorded_at(aggregate, row)
        aggregate._created_on = row["created_at"]
        return aggregate, bytes(row["hash"])

    async def save(
        self,
        *aggregates: Aggregate,
        metadata: Metadata,
        reservations: Sequence[Reservation] = (),
        releases: Sequence[Reservation] = (),
        outcome: Mapping[str, str] | None = None,
    ) -> AppendResult:
        """Append every aggregate's pending events in one transaction."""
        streams: list[StreamAppend] = []
        snapshots: list[Snapshot] = []
        for aggregate in aggregates:
            stream = self._pending(aggregate)
            if stream is None:
                continue
            streams.append(stream)
            snapshot = self._snapshot(aggregate, stream.expected_version)
            if snapshot is not None:
                snapshots.append(snapshot)
        result = await self.store.append(
            streams,
            metadata,
            reservations=reservations,
            releases=releases,
            snapshots=snapshots,
            outcome=outcome,
        )
        for aggregate in aggregates:
            last_hash = result.hashes.get(aggregate.id)
            if last_hash is not None and not result.replayed:
                self._remember_hash(aggregate.id, aggregate.version, last_hash)
                # The caller keeps its instance (and may change it again): keep a copy.
                self._keep(_copy(aggregate), last_hash)
        return result

    @property
    def appends_turns(self) -> bool:
        """Whether `save_turns` may stand in for `save`: not for a subclass that saves
        otherwise (the seed's staging repository keeps saves in memory until it flushes)."""
        return type(self).save is Repository.save

    def turn(
        self, aggregate: Aggregate, metadata: Metadata, outcome: Mapping[str, str]
    ) -> Turn | None:
        """The aggregate's pending events as one command's turn in a batch onto its stream
        (see `save_turns`), with the snapshot a save would take; None when it has none."""
        stream = self._pending(aggregate, chained=False)
        if stream is None:
            return None
        snapshot = self._snapshot(aggregate, stream.expected_version)
        return Turn(stream, metadata, dict(outcome), snapshot)

    async def save_turns(
        self, turns: Sequence[Turn], aggregates: Sequence[Aggregate]
    ) -> list[AppendResult]:
        """Append consecutive turns onto one stream in one transaction; `aggregates` are the
        stream's aggregate after each turn. The last is cached as it is, not copied (a
        pickle round trip was a sixth of a command's CPU): the caller hands them over and
        changes them no more, and reads them only through copies. One turn goes as `save`
        would send it, so it can share a statement with other streams' (batch.py). Raises
        what EventStore.append or EventStore.append_turns raise."""
        first = turns[0]
        if len(turns) == 1:
            stream = dataclasses.replace(
                first.stream,
                previous_hash=self._hashes.get(
                    (first.stream.stream_id, first.stream.expected_version)
                ),
            )
            results = [
                await self.store.append(
                    [stream],
                    first.metadata,
                    snapshots=[] if first.snapshot is None else [first.snapshot],
                    outcome=first.outcome,
                )
            ]
        else:
            results = await self.store.append_turns(turns)
        last: tuple[Aggregate, bytes] | None = None
        for aggregate, result in zip(aggregates, results, strict=True):
            last_hash = result.hashes.get(aggregate.id)
            if last_hash is not None and not result.replayed:
                self._remember_hash(aggregate.id, aggregate.version, last_hash)
                last = aggregate, last_hash
        if last is not None:
            self._keep(last[0], last[1])  # no copy: see the docstring
        return results

    def _pending(self, aggregate: Aggregate, *, chained: bool = True) -> StreamAppend | None:
        """The aggregate's pending events as one stream's append (None when it has none),
        with the hash of the event they follow when cached and `chained`."""
        pending = aggregate.collect_events()
        if not pending:
            return None
        expected = pending[0].originator_version - 1
        return StreamAppend(
            stream_id=aggregate.id,
            stream_type=type(aggregate).__name__,
            expected_version=expected,
            events=[self.codec.encode(event) for event in pending],
            previous_hash=self._hashes.get((aggregate.id, expected)) if chained else None,
        )

    def _snapshot(self, aggregate: Aggregate, expected: int) -> Snapshot | None:
        """A snapshot when a save from `expected` crosses a snapshot interval (an aggregate
        class may ask for its own interval: a big state, snapshot rarely)."""
        interval: int = getattr(type(aggregate), "snapshot_interval", self.snapshot_interval)
        if aggregate.version // interval <= expected // interval:
            return None
        encoded = self.codec.encode_snapshot(aggregate)
        return Snapshot(aggregate.id, encoded.type, encoded.data)

    def _keep(self, aggregate: Aggregate, last_hash: bytes) -> tuple[Aggregate, bytes]:
        """Cache `aggregate` unless the cache holds a later version already; the entry."""
        cached = self._cache.get(aggregate.id)
        if cached is not None and cached[0].version > aggregate.version:
            self._cache.move_to_end(aggregate.id)
            return cached
        _put(self._cache, aggregate.id, (aggregate, last_hash), self.cache_size)
        return aggregate, last_hash

    def _remember_hash(self, stream_id: UUID, version: int, last_hash: bytes) -> None:
        if version:
            _put(self._hashes, (stream_id, version), last_hash, 4 * self.cache_size)


K = TypeVar("K")
V = TypeVar("V")


def _recorded_at(aggregate: Aggregate, row: Any) -> None:
    """A loaded aggregate's `modified_on` is when its last event was recorded (the store's
    clock), not the time the domain event carries (the process's, a little earlier): a
    replay to it then takes the events other streams recorded in the same append, and it
    agrees with the read models. Its `created_on` is likewise its first event's."""
    aggregate._modified_on = row["recorded_at"]


def _copy(aggregate: A) -> A:
    """An independent copy (pickling is about twice as fast as deepcopy here)."""
    copied: A = pickle.loads(pickle.dumps(aggregate, pickle.HIGHEST_PROTOCOL))
    return copied


def _put(lru: OrderedDict[K, V], key: K, value: V, limit: int) -> None:
    lru[key] = value
    lru.move_to_end(key)
    while len(lru) > limit:
        lru.popitem(last=False)
