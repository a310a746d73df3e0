"""A 10,000-event stream loads to the same state by every path: snapshot, cache, full replay."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from eventsourcing.domain import Aggregate, event

from cso.eventstore import Codec, EventStore, Metadata, Repository, StreamNotFound

INTERVAL = 100
BATCH = 300
EVENTS = 10_000
WRITTEN_WITH_SNAPSHOTS = 9_963  # the last 37 are saved by a repository that takes none
MIDWAY = 5_101  # a version a save ended on, so also a snapshot's


class Tally(Aggregate):
    @event("Started")
    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0
        self.total = Decimal("0")
        self.last_day: date | None = None
        self.recent: list[int] = []

    @event("Added")
    def add(self, amount: Decimal, day: date) -> None:
        self.count += 1
        self.total += amount
        self.last_day = day
        self.recent = [*self.recent[-4:], self.count]


class CountingStore(EventStore):
    """Counts the event rows a load replays; `snapshots=False` hides every snapshot."""

    def __init__(self, pool: asyncpg.Pool[Any], *, snapshots: bool = True) -> None:
        super().__init__(pool)
        self.snapshots = snapshots
        self.rows_replayed = 0

    async def read_raw(self, stream_id: UUID, **kwargs: Any) -> list[asyncpg.Record]:
        rows = await super().read_raw(stream_id, **kwargs)
        self.rows_replayed += len(rows)
        return rows

    async def latest_snapshot(self, stream_id: UUID, **kwargs: Any) -> asyncpg.Record | None:
        return await super().latest_snapshot(stream_id, **kwargs) if self.snapshots else None

    def take_count(self) -> int:
        count, self.rows_replayed = self.rows_replayed, 0
        return count


def state(aggregate: Aggregate) -> dict[str, Any]:
    """What a load must restore. Not `created_on`, `modified_on`: a loaded aggregate's are
    when its first and last events were recorded, a little after the domain events' own
    times (see the next test)."""
    skipped = ("_pending_events", "_created_on", "_modified_on")
    return {k: v for k, v in vars(aggregate).items() if k not in skipped}


async def test_a_loaded_aggregates_times_are_when_its_first_and_last_events_were_recorded(
    store: EventStore,
) -> None:
    written = Tally(name="recorded")
    written.add(Decimal("1"), date(2026, 1, 5))
    await Repository(store, Codec()).save(written, metadata=Metadata())
    last = (await store.read_stream(written.id))[-1]

    cold = await Repository(store, Codec()).get(written.id, Tally)
    replayed = await Repository(store, Codec()).get(written.id, Tally, version=2)

    assert cold.modified_on == replayed.modified_on == last.recorded_at
    first = (await store.read_stream(written.id))[0]
    assert cold.created_on == replayed.created_on == first.recorded_at


def _add(tally: Tally, times: int) -> None:
    for _ in range(times):
        n = tally.version + 1
        tally.add(Decimal(n) / 100, date(2024, 1, 1) + timedelta(days=n % 366))


class Written:
    def __init__(self, tally: Tally, midway_state: dict[str, Any], midway_time: datetime) -> None:
        self.id = tally.id
        self.final_state = state(tally)
        self.midway_state = midway_state
        self.midway_time = midway_time


@pytest.fixture(scope="module")
async def written(pool: asyncpg.Pool[Any]) -> Written:
    codec = Codec()
    store = EventStore(pool)
    writer = Repository(store, codec, snapshot_interval=INTERVAL)
    tally = Tally(name="ten thousand")
    await writer.save(tally, metadata=Metadata())
    midway_state: dict[str, Any] = {}
    midway_time = datetime.now(UTC)
    while tally.version < WRITTEN_WITH_SNAPSHOTS:
        _add(tally, min(BATCH, WRITTEN_WITH_SNAPSHOTS - tally.version))
        await writer.save(tally, metadata=Metadata())
        if tally.version == MIDWAY:
            midway_state, midway_time = state(tally), datetime.now(UTC)
            while datetime.now(UTC) <= midway_time:  # later events get later timestamps
                pass
    _add(tally, EVENTS - tally.version)
    await Repository(store, codec, snapshot_interval=10**9).save(tally, metadata=Metadata())
    assert tally.version == EVENTS
    assert midway_state["_version"] == MIDWAY
    return Written(tally, midway_state, midway_time)


async def test_the_stream_has_snapshots_every_interval_and_none_after_the_last_writer_took_one(
    pool: asyncpg.Pool[Any], written: Written
) -> None:
    versions = [
        r["version"]
        for r in await pool.fetch(
            "SELECT version FROM snapshots WHERE stream_id = $1 ORDER BY version", written.id
        )
    ]
    assert versions == list(range(301, 9_902, BATCH))
    assert (await EventStore(pool).verify_stream(written.id)).events_checked == EVENTS


async def test_a_10000_event_stream_loads_to_the_same_state_by_snapshot_cache_and_full_replay(
    pool: asyncpg.Pool[Any], written: Written
) -> None:
    with_snapshots = CountingStore(pool)
    without = CountingStore(pool, snapshots=False)
    repository = Repository(with_snapshots, Codec(), snapshot_interval=INTERVAL)
    replaying = Repository(without, Codec(), snapshot_interval=10**9)

    cold = await repository.get(written.id, Tally)
    cold_rows = with_snapshots.take_count()
    cold_state = state(cold)
    cached = await repository.get(written.id, Tally)
    cached_rows = with_snapshots.take_count()
    replayed = await replaying.get(written.id, Tally)
    replayed_rows = without.take_count()

    assert cold_state == written.final_state
    assert state(cached) == written.final_state
    assert state(replayed) == written.final_state
    assert cold.version == cached.version == replayed.version == EVENTS
    assert cached is not cold  # each caller owns a copy; the cache fast-forwarded by nothing
    assert cold_rows == EVENTS - 9_901  # snapshot at 9,901, then the rest
    assert cached_rows == 0
    assert replayed_rows == EVENTS


@pytest.mark.parametrize("version", [1, 250, 4_801, 5_050, MIDWAY, 9_999])
async def test_loading_an_earlier_version_gives_the_state_full_replay_gives_for_it(
    pool: asyncpg.Pool[Any], written: Written, version: int
) -> None:
    repository = Repository(CountingStore(pool), Codec(), snapshot_interval=INTERVAL)
    replaying = Repository(CountingStore(pool, snapshots=False), Codec())

    historic = await repository.get(written.id, Tally, version=version)
    replayed = await replaying.get(written.id, Tally, version=version)

    assert historic.version == replayed.version == version
    assert state(historic) == state(replayed)
    assert historic.count == version - 1
    assert historic.recent == list(range(max(1, version - 5), version))


async def test_loading_as_of_a_time_gives_the_state_at_that_time_and_leaves_the_cache_alone(
    pool: asyncpg.Pool[Any], written: Written
) -> None:
    repository = Repository(EventStore(pool), Codec(), snapshot_interval=INTERVAL)
    latest = await repository.get(written.id, Tally)  # now cached

    then = await repository.get(written.id, Tally, as_of=written.midway_time)
    now = await repository.get(written.id, Tally)

    assert state(then) == written.midway_state
    assert then.version == MIDWAY
    assert state(now) == state(latest)  # the historic load did not replace the cached one
    assert now.version == EVENTS
    with pytest.raises(StreamNotFound):
        await repository.get(written.id, Tally, as_of=datetime(2000, 1, 1, tzinfo=UTC))


async def test_a_command_on_a_cached_10000_event_stream_chains_on_and_is_seen_by_a_cold_load(
    pool: asyncpg.Pool[Any],
) -> None:
    """Saving from a snapshot-loaded aggregate must chain hashes from the snapshot's hash."""
    store = EventStore(pool)
    writer = Repository(store, Codec(), snapshot_interval=INTERVAL)
    tally = Tally(name="short")
    _add(tally, 249)
    await writer.save(tally, metadata=Metadata())
    loader = Repository(store, Codec(), snapshot_interval=INTERVAL)

    loaded = await loader.get(tally.id, Tally)  # from the snapshot at 250
    _add(loaded, 3)
    result = await loader.save(loaded, metadata=Metadata())
    again = await loader.get(tally.id, Tally)  # from the cache
    _add(again, 1)
    await loader.save(again, metadata=Metadata())

    assert result.versions == {tally.id: 253}
    assert (await store.verify_stream(tally.id)).events_checked == 254
    assert (await store.verify_stream(tally.id)).ok
    fresh = await Repository(store, Codec()).get(tally.id, Tally)
    assert state(fresh) == state(again)


async def test_loading_a_stream_that_does_not_exist_raises_stream_not_found(
    pool: asyncpg.Pool[Any],
) -> None:
    missing = uuid4()
    with pytest.raises(StreamNotFound) as caught:
        await Repository(EventStore(pool), Codec()).get(missing, Tally)
    assert caught.value.stream_id == missing
