"""What an append stores with its events, and reading a stream back by version and by time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from cso.eventstore import (
    Actor,
    Checkpoint,
    EventStore,
    Metadata,
    StreamAppend,
    Verification,
)
from tests.integration.eventstore.conftest import MakeEvent, ReadMine


async def test_an_appends_metadata_is_stored_on_every_one_of_its_events(
    store: EventStore, make_event: MakeEvent
) -> None:
    enterprise, project = uuid4(), uuid4()
    metadata = Metadata(
        actor=Actor(id=str(uuid4()), role="CSO", name="王芳"),
        correlation_id=str(uuid4()),
        causation_id=str(uuid4()),
        reason="季度走访",
        idempotency_key=f"visit:{uuid4()}",
    )

    await store.append(
        [
            StreamAppend(enterprise, "Enterprise", 0, [make_event(1), make_event(2)]),
            StreamAppend(project, "Project", 0, [make_event(1)]),
        ],
        metadata,
    )

    events = [*await store.read_stream(enterprise), *await store.read_stream(project)]
    assert len(events) == 3
    for event in events:
        assert event.metadata == metadata.as_json()
        assert Metadata.from_json(event.metadata) == metadata
    assert [e.stream_type for e in events] == ["Enterprise", "Enterprise", "Project"]


async def test_reading_a_stream_by_version_range_and_finding_its_version_at_a_moment(
    store: EventStore, make_event: MakeEvent
) -> None:
    stream = uuid4()
    start = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
    at = [start + timedelta(hours=n) for n in range(6)]
    store = EventStore(store.pool, clock=iter(at).__next__)  # stamps the events in turn
    await store.append(
        [StreamAppend(stream, "Test", 0, [make_event(n + 1) for n in range(6)])], Metadata()
    )

    async def versions(**kwargs: object) -> list[int]:
        return [e.version for e in await store.read_stream(stream, **kwargs)]  # type: ignore[arg-type]

    assert await versions() == [1, 2, 3, 4, 5, 6]
    assert await versions(from_version=3) == [3, 4, 5, 6]
    assert await versions(to_version=2) == [1, 2]
    assert await versions(from_version=2, to_version=4) == [2, 3, 4]
    assert await versions(from_version=7) == []
    assert await store.version_at(stream, at[2]) == 3  # the moment is inclusive
    assert await store.version_at(stream, at[2] - timedelta(microseconds=1)) == 2
    assert await store.version_at(stream, start - timedelta(seconds=1)) is None
    assert await store.version_at(stream, at[5] + timedelta(days=1)) == 6
    assert [e.recorded_at for e in await store.read_stream(stream)] == at


async def test_a_stream_nobody_wrote_to_is_empty_and_verifies(store: EventStore) -> None:
    nobody = uuid4()
    assert await store.read_stream(nobody) == []
    assert await store.stream_version(nobody) == 0
    assert await store.verify_stream(nobody) == Verification(ok=True, events_checked=0)


async def test_an_appends_consistency_token_round_trips_and_a_log_reader_reaching_it_has_its_events(
    store: EventStore, make_event: MakeEvent, read_mine: ReadMine
) -> None:
    stream = uuid4()
    start = await store.head()
    result = await store.append(
        [StreamAppend(stream, "Test", 0, [make_event(1), make_event(2)])], Metadata()
    )

    checkpoint = Checkpoint.from_token(result.token)
    read = [e for e in await read_mine(start, {stream}, 2) if e.checkpoint <= checkpoint]

    assert checkpoint == result.checkpoint
    assert [(e.stream_id, e.version) for e in read if e.stream_id == stream] == [
        (stream, 1),
        (stream, 2),
    ]


async def test_a_stored_events_hash_chains_from_the_one_before_it(
    store: EventStore, make_event: MakeEvent
) -> None:
    stream = uuid4()
    first = await store.append([StreamAppend(stream, "Test", 0, [make_event(1)])], Metadata())
    second = await store.append(
        [StreamAppend(stream, "Test", 1, [make_event(2)])], Metadata()
    )  # previous hash looked up by the store

    events = await store.read_stream(stream)
    assert [e.hash for e in events] == [first.hashes[stream], second.hashes[stream]]
    assert len(set(e.hash for e in events)) == 2
    assert (await store.verify_stream(stream)).ok
