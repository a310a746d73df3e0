"""Which consecutive batches the staging repository appends as one statement."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from cso.eventstore import Metadata, NewEvent, Reservation, StreamAppend
from cso.eventstore.records import Snapshot
from cso.seed.staging import _Batch, _Group

AT = datetime(2025, 3, 3, tzinfo=UTC)


def batch(*streams: UUID, reserves: tuple[str, ...] = (), releases: tuple[str, ...] = ()) -> _Batch:
    made = _Batch(Metadata(correlation_id=str(uuid4())), AT)
    for stream_id in streams:
        made.streams[stream_id] = StreamAppend(stream_id, "Test", 0, [NewEvent("t", "{}")])
        made.versions[stream_id] = 1
    made.reservations = [Reservation("code", value, streams[0]) for value in reserves]
    made.releases = [Reservation("code", value, streams[0]) for value in releases]
    return made


def group_of(*batches: _Batch) -> _Group:
    group = _Group()
    for each in batches:
        group.add(each)
    return group


def test_a_batch_on_new_streams_joins_the_group() -> None:
    assert group_of(batch(uuid4())).takes(batch(uuid4(), uuid4()))


def test_a_batch_may_continue_the_groups_last_stream_first() -> None:
    last = uuid4()
    assert group_of(batch(uuid4(), last)).takes(batch(last, uuid4()))


def test_a_batch_back_on_an_earlier_stream_starts_a_new_group() -> None:
    earlier, last = uuid4(), uuid4()
    group = group_of(batch(earlier, last))
    assert not group.takes(batch(earlier))
    assert not group.takes(batch(uuid4(), last))  # the last stream, but not first in line


def test_a_release_of_a_key_the_group_reserves_starts_a_new_group() -> None:
    group = group_of(batch(uuid4(), reserves=("A",)))
    assert not group.takes(batch(uuid4(), releases=("A",)))
    assert group.takes(batch(uuid4(), releases=("B",)))


def test_a_snapshot_is_dropped_when_a_later_batch_goes_on_with_its_stream() -> None:
    stream = uuid4()
    first = batch(stream)
    first.snapshots[stream] = Snapshot(stream, "t", "{}")
    group = group_of(first, batch(stream))
    assert group.snapshots == {}
    assert [entry.metadata["clock"] for entry in group.entries] == ["simulated"] * 2


def test_a_second_reservation_of_a_key_the_group_reserves_starts_a_new_group() -> None:
    group = group_of(batch(uuid4(), reserves=("A",)))
    assert not group.takes(batch(uuid4(), reserves=("A",)))
    assert group.takes(batch(uuid4(), reserves=("B",)))
