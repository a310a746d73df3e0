from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg

from cso.eventstore import EventStore, Metadata, NewEvent, StreamAppend


def _event(n: int) -> NewEvent:
    return NewEvent(type="test:Happened", data=f'{{"n": {n}}}', recorded_at=datetime.now(UTC))


async def test_an_appended_event_reads_back_and_verifies(pool: asyncpg.Pool[Any]) -> None:
    store = EventStore(pool)
    stream = uuid.uuid4()
    result = await store.append(
        [StreamAppend(stream, "Test", 0, [_event(1), _event(2)])], Metadata()
    )
    assert result.versions == {stream: 2}
    events = await store.read_stream(stream)
    assert [e.data for e in events] == [{"n": 1}, {"n": 2}]
    assert (await store.verify_stream(stream)).ok
