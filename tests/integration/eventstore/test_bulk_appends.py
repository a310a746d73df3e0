"""EventStore.append_entries: several commands' appends, each with its own metadata and
time, in one statement (the seed's bulk path)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from cso.eventstore import ConcurrencyConflict, EventStore, Metadata, Reservation, StreamAppend
from cso.eventstore.append import Entry
from tests.integration.eventstore.conftest import MakeEvent

DAY = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)


def metadata(correlation: str) -> dict[str, Any]:
    return {**Metadata(correlation_id=correlation).as_json(), "clock": "simulated"}


async def test_entries_keep_their_own_metadata_and_times_and_chain_onto_their_streams(
    pool: asyncpg.Pool[Any], make_event: MakeEvent
) -> None:
    store = EventStore(pool)
    one, two = uuid4(), uuid4()
    await store.append([StreamAppend(two, "Test", 0, [make_event(0)])], Metadata())
    later = DAY + timedelta(minutes=1)
    result = await store.append_entries(
        [
            Entry(StreamAppend(one, "Test", 0, [make_event(1), make_event(2)]), metadata("a"), DAY),
            Entry(StreamAppend(one, "Test", 2, [make_event(3)]), metadata("b"), later),
            Entry(StreamAppend(two, "Test", 1, [make_event(4)]), metadata("b"), later),
        ],
        reservations=[Reservation("test-code", f"code-{one}", one)],
    )

    events = await store.read_stream(one)
    assert [e.version for e in events] == [1, 2, 3]
    assert [e.metadata["correlation_id"] for e in events] == ["a", "a", "b"]
    assert [e.recorded_at for e in events] == [DAY, DAY, later]
    assert result.versions == {one: 3, two: 2}
    assert result.hashes[one] == events[-1].hash
    assert (await store.verify_stream(one)).ok and (await store.verify_stream(two)).ok
    rows = await pool.fetch(
        "SELECT DISTINCT transaction_id FROM events WHERE stream_id = ANY($1)", [one, two]
    )
    assert len(rows) == 2  # the first append, then the entries in one transaction
    assert await pool.fetchval("SELECT stream_id FROM reservations WHERE value = $1", f"code-{one}")


async def test_a_refused_entry_appends_none_of_them(
    pool: asyncpg.Pool[Any], make_event: MakeEvent
) -> None:
    store = EventStore(pool)
    fine, behind = uuid4(), uuid4()
    with pytest.raises(ConcurrencyConflict):
        await store.append_entries(
            [
                Entry(StreamAppend(fine, "Test", 0, [make_event(1)]), metadata("a"), DAY),
                Entry(StreamAppend(behind, "Test", 4, [make_event(2)]), metadata("a"), DAY),
            ]
        )
    assert await store.stream_version(fine) == 0


async def test_a_conflict_names_the_stream_that_moved_not_one_continued_within_the_append(
    pool: asyncpg.Pool[Any], make_event: MakeEvent
) -> None:
    store = EventStore(pool)
    continued, moved = uuid4(), uuid4()
    await store.append([StreamAppend(moved, "Test", 0, [make_event(0)])], Metadata())
    with pytest.raises(ConcurrencyConflict) as refused:
        await store.append_entries(
            [
                Entry(StreamAppend(continued, "Test", 0, [make_event(1)]), metadata("a"), DAY),
                Entry(StreamAppend(continued, "Test", 1, [make_event(2)]), metadata("b"), DAY),
                Entry(StreamAppend(moved, "Test", 0, [make_event(3)]), metadata("b"), DAY),
            ]
        )
    assert refused.value.stream_id == moved
