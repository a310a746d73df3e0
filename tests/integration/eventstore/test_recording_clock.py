"""Whose clock recorded_at follows: the database's, or a clock injected for the seed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import asyncpg

from cso.eventstore import EventStore, Metadata, StreamAppend
from tests.integration.eventstore.conftest import MakeEvent

LONG_AGO = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)


async def test_without_a_clock_an_append_is_stamped_with_the_databases_time(
    pool: asyncpg.Pool[Any], make_event: MakeEvent
) -> None:
    store = EventStore(pool)
    stream = uuid4()
    before = await pool.fetchval("SELECT clock_timestamp()")
    first = await store.append([StreamAppend(stream, "Test", 0, [make_event(1)])], Metadata())
    await store.append(
        [StreamAppend(stream, "Test", 1, [make_event(2), make_event(3)])], Metadata()
    )
    after = await pool.fetchval("SELECT clock_timestamp()")

    events = await store.read_stream(stream)
    assert all(before <= e.recorded_at <= after for e in events)
    assert events[1].recorded_at == events[2].recorded_at  # one moment per append
    assert all("clock" not in e.metadata for e in events)
    assert first.hashes[stream] == events[0].hash
    assert (await store.verify_stream(stream)).ok


async def test_an_injected_clock_stamps_each_event_and_says_so_in_the_metadata(
    pool: asyncpg.Pool[Any], make_event: MakeEvent
) -> None:
    ticks = iter([LONG_AGO, LONG_AGO + timedelta(days=3), LONG_AGO + timedelta(days=1)])
    store = EventStore(pool).with_clock(ticks.__next__)
    stream = uuid4()
    result = await store.append(
        [StreamAppend(stream, "Test", 0, [make_event(1), make_event(2), make_event(3)])],
        Metadata(reason="seeded"),
    )

    events = await store.read_stream(stream)
    assert [e.recorded_at for e in events] == [
        LONG_AGO,
        LONG_AGO + timedelta(days=3),
        LONG_AGO + timedelta(days=1),
    ]
    assert all(e.metadata["clock"] == "simulated" for e in events)
    assert all(e.metadata["reason"] == "seeded" for e in events)
    assert result.hashes[stream] == events[-1].hash
    assert (await store.verify_stream(stream)).ok
