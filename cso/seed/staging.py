"""A repository for the district-scale seed: use cases run in memory, appends go in batches.

The use cases run unchanged (authorise, load, call the aggregate, save); only `save` stages
the events instead of appending them, and `flush` appends what was staged. Consecutive
commands with the same metadata (one actor, one batch's correlation id) become one batch,
their events for one stream joined in order; consecutive batches then go as one statement
(EventStore.append_entries), each keeping its own metadata and recorded time, so a flush of
thousands of commands costs a handful of round trips and transactions. Staged aggregates
are read back from memory, so a batch may work on what it has just created.

The seed is the store's only writer while it runs (it loads an empty store): a cached
aggregate is handed out without asking the database for newer events, and handed out
itself, not a copy (a refused command fails the whole seed, so no command's half-made
changes are ever read). Each append still checks every stream's expected version, so
another writer would fail the seed, not corrupt the log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from cso.eventstore import Codec, EventStore, Metadata, Repository, Reservation, StreamAppend
from cso.eventstore.append import Entry
from cso.eventstore.errors import StreamNotFound
from cso.eventstore.records import START, AppendResult, Snapshot
from cso.seed.clock import SimulatedClock

A = TypeVar("A", bound=Aggregate)

# Aggregates kept between flushes: the whole district's streams (about 180,000) fit, so none
# is read back from the database and replayed. About 1 KB each (measured at 0.1 of the
# district: 20,000 more cost 18 MB); at 0.1 of the district with a cache of a quarter of its
# streams, reloading cost 5-10% more CPU per event.
CACHE_SIZE = 250_000


@dataclass
class _Staged:
    """One command's save: its metadata, streams, reservations, the aggregates as saved."""

    metadata: Metadata
    at: datetime
    streams: list[StreamAppend]
    reservations: list[Reservation]
    releases: list[Reservation]
    versions: dict[UUID, int]
    snapshots: dict[UUID, Snapshot]  # taken when a save crosses a snapshot interval


@dataclass
class _Batch:
    """Consecutive staged commands with one metadata: one append."""

    metadata: Metadata
    at: datetime
    streams: dict[UUID, StreamAppend] = field(default_factory=dict)
    reservations: list[Reservation] = field(default_factory=list)
    releases: list[Reservation] = field(default_factory=list)
    versions: dict[UUID, int] = field(default_factory=dict)
    snapshots: dict[UUID, Snapshot] = field(default_factory=dict)

    def add(self, staged: _Staged) -> None:
        for stream in staged.streams:
            joined = self.streams.get(stream.stream_id)
            if joined is None:
                self.streams[stream.stream_id] = stream
            else:
                events = [*joined.events, *stream.events]
                self.streams[stream.stream_id] = replace(joined, events=events)
            # A snapshot stands for the append's last version: an earlier one is dropped.
            self.snapshots.pop(stream.stream_id, None)
        self.reservations += staged.reservations
        self.releases += staged.releases
        self.versions.update(staged.versions)
        self.snapshots.update(staged.snapshots)
        self.at = max(self.at, staged.at)


class _Group:
    """Consecutive batches appended as one statement, in order, each with its own metadata
    and time. A batch joins only if the append function can take it as it comes: a stream
    already in the group only as the group's last stream, continued (the function chains
    an event onto the one before it in the statement only when that is its stream's), and
    no release of a key the group reserves (the function releases before it reserves) nor a
    second reservation of it."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.streams: set[UUID] = set()
        self.reserved: set[tuple[str, str]] = set()
        self.reservations: list[Reservation] = []
        self.releases: list[Reservation] = []
        self.versions: dict[UUID, int] = {}
        self.snapshots: dict[UUID, Snapshot] = {}
        self.at: datetime | None = None

    def takes(self, batch: _Batch) -> bool:
        last = self.entries[-1].stream.stream_id if self.entries else None
        for n, stream_id in enumerate(batch.streams):
            if stream_id in self.streams and not (n == 0 and stream_id == last):
                return False
        # A key the group reserves is neither released nor reserved again by a later batch:
        # such a batch goes in a statement of its own, so a clash refuses it alone.
        keys = [*batch.releases, *batch.reservations]
        return not any((r.scope, r.value) in self.reserved for r in keys)

    def add(self, batch: _Batch) -> None:
        metadata = batch.metadata.as_json()
        metadata["clock"] = "simulated"
        for stream_id, stream in batch.streams.items():
            self.entries.append(Entry(stream, metadata, batch.at))
            self.streams.add(stream_id)
            self.snapshots.pop(stream_id, None)  # its stream goes on past it
        self.reserved.update((r.scope, r.value) for r in batch.reservations)
        self.reservations += batch.reservations
        self.releases += batch.releases
        self.versions.update(batch.versions)
        self.snapshots.update(batch.snapshots)
        self.at = batch.at


class _Stamp:
    """The clock of the repository's store copy: the recorded time of the last append."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class StagingRepository(Repository):
    """`Repository` whose saves wait in memory until `flush` (see the module's docstring).

    `clock` gives each staged command its recorded time; a batch's events are recorded at
    the latest time among its commands, and their metadata says `"clock": "simulated"`.
    The repository's store is a copy of `store` stamped by the time of the last append, for
    whatever else the application writes through it.
    """

    def __init__(
        self,
        store: EventStore,
        codec: Codec,
        clock: SimulatedClock,
        *,
        snapshot_interval: int = 100,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self._stamp = _Stamp(clock())
        clocked = store.with_clock(self._stamp)
        super().__init__(clocked, codec, snapshot_interval=snapshot_interval, cache_size=cache_size)
        self.clock = clock
        self._staged: list[_Staged] = []
        self._latest: dict[UUID, Aggregate] = {}  # saved since the last flush
        self._missing: set[UUID] = set()  # streams known not to exist
        self.appends = 0
        self.events = 0

    @property
    def staged_commands(self) -> int:
        return len(self._staged)

    async def get(
        self,
        aggregate_id: UUID,
        kind: type[A],
        *,
        version: int | None = None,
        as_of: datetime | None = None,
    ) -> A:
        """The aggregate as last saved (staged or appended); time travel as `Repository`.
        Raises StreamNotFound."""
        if version is not None or as_of is not None:
            return await super().get(aggregate_id, kind, version=version, as_of=as_of)
        found = self._latest.get(aggregate_id)
        if found is None and aggregate_id in self._missing:
            raise StreamNotFound(aggregate_id)
        if found is None:
            cached = self._cache.get(aggregate_id)
            if cached is None:
                try:
                    return await super().get(aggregate_id, kind)
                except StreamNotFound:
                    self._missing.add(aggregate_id)
                    raise
            found = cached[0]
        if not isinstance(found, kind):
            raise StreamNotFound(aggregate_id)
        return found

    async def save(
        self,
        *aggregates: Aggregate,
        metadata: Metadata,
        reservations: Sequence[Reservation] = (),
        releases: Sequence[Reservation] = (),
        outcome: Mapping[str, str] | None = None,
    ) -> AppendResult:
        """Stage the aggregates' pending events; the result's token is the log's start
        (nothing is appended yet) and its versions are the staged ones. Raises ValueError
        for an idempotency key (a bulk append keeps none; the seed sends none)."""
        if metadata.idempotency_key is not None:
            raise ValueError("the staging repository keeps no idempotency keys")
        streams: list[StreamAppend] = []
        versions: dict[UUID, int] = {}
        snapshots: dict[UUID, Snapshot] = {}
        at = self.clock()
        for aggregate in aggregates:
            # Not chained: the staged stream's head is appended only at flush.
            stream = self._pending(aggregate, chained=False)
            if stream is None:
                continue
            streams.append(stream)
            versions[aggregate.id] = aggregate.version
            snapshot = self._snapshot(aggregate, stream.expected_version)
            if snapshot is not None:
                snapshots[aggregate.id] = snapshot
            self._latest[aggregate.id] = aggregate
            self._missing.discard(aggregate.id)
        self._staged.append(
            _Staged(metadata, at, streams, list(reservations), list(releases), versions, snapshots)
        )
        return AppendResult(START, versions, outcome=dict(outcome or {}))

    async def flush(self) -> int:
        """Append everything staged, in order; returns the number of events appended."""
        batches: list[_Batch] = []
        for staged in self._staged:
            if not batches or batches[-1].metadata != staged.metadata:
                batches.append(_Batch(staged.metadata, staged.at))
            batches[-1].add(staged)
        groups: list[_Group] = []
        for batch in batches:
            if not groups or not groups[-1].takes(batch):
                groups.append(_Group())
            groups[-1].add(batch)
        appended = 0
        for group in groups:
            appended += await self._append(group)
        self._staged.clear()
        self._latest.clear()
        return appended

    async def _append(self, group: _Group) -> int:
        assert group.at is not None
        self._stamp.at = group.at
        result = await self.store.append_entries(
            group.entries,
            reservations=group.reservations,
            releases=group.releases,
            snapshots=list(group.snapshots.values()),
        )
        # No _remember_hash: staged saves are not chained (see `save`), so nothing reads it.
        for stream_id, last_hash in result.hashes.items():
            latest = self._latest.get(stream_id)
            if latest is not None and latest.version == group.versions[stream_id]:
                self._keep(latest, last_hash)
        events = sum(len(entry.stream.events) for entry in group.entries)
        self.appends += 1
        self.events += events
        return events
