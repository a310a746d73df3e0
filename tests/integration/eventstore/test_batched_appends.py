"""Appends of many callers at once share statements, yet each keeps its own answer."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from cso.eventstore import (
    Actor,
    ConcurrencyConflict,
    EventStore,
    Metadata,
    StreamAppend,
)
from tests.integration.eventstore.conftest import MakeEvent

CALLERS = 20


async def test_concurrent_appends_share_a_transaction_and_each_gets_its_own_checkpoint(
    pool: asyncpg.Pool[Any], make_event: MakeEvent
) -> None:
    store = EventStore(pool)
    store._batcher.lanes = 1  # the first goes alone, the rest queue behind it
    streams = [uuid4() for _ in range(CALLERS)]
    metadata = [Metadata(actor=Actor(str(n), "CSO", f"officer {n}")) for n in range(CALLERS)]

    results = await asyncio.gather(
        *(
            store.append([StreamAppend(s, "Test", 0, [make_event(n)])], m)
            for n, (s, m) in enumerate(zip(streams, metadata, strict=True))
        )
    )

    events = [(await store.read_stream(s))[0] for s in streams]
    assert [r.checkpoint for r in results] == [e.checkpoint for e in events]
    assert [r.hashes[s] for r, s in zip(results, streams, strict=True)] == [e.hash for e in events]
    assert [e.metadata["actor"]["name"] for e in events] == [f"officer {n}" for n in range(20)]
    assert len({e.transaction_id for e in events}) < CALLERS  # some went together
    for stream in streams:
        assert (await store.verify_stream(stream)).ok
    await store.close()


async def test_a_stale_append_among_a_batch_is_refused_alone(
    pool: asyncpg.Pool[Any], make_event: MakeEvent
) -> None:
    store = EventStore(pool)
    stale = uuid4()
    await store.append([StreamAppend(stale, "Test", 0, [make_event(1)])], Metadata())
    store._batcher.lanes = 1
    others = [uuid4() for _ in range(5)]

    outcomes = await asyncio.gather(
        store.append([StreamAppend(uuid4(), "Test", 0, [make_event(0)])], Metadata()),
        *(store.append([StreamAppend(s, "Test", 0, [make_event(1)])], Metadata()) for s in others),
        store.append([StreamAppend(stale, "Test", 0, [make_event(2)])], Metadata()),
        return_exceptions=True,
    )

    assert isinstance(outcomes[-1], ConcurrencyConflict)
    assert outcomes[-1].current_version == 1
    assert not any(isinstance(o, BaseException) for o in outcomes[:-1])
    for stream in others:
        assert await store.stream_version(stream) == 1
    assert await store.stream_version(stale) == 1
    with pytest.raises(ConcurrencyConflict):
        await store.append([StreamAppend(stale, "Test", 0, [make_event(3)])], Metadata())
    await store.close()
