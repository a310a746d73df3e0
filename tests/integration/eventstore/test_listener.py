"""Wake-ups on append through LISTEN/NOTIFY, and polling when no notification comes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import asyncpg
import pytest

from cso.eventstore import (
    EventStore,
    Listener,
    Metadata,
    StreamAppend,
    follow,
)
from tests.integration.eventstore.conftest import Following, MakeEvent

LISTENING = "SELECT pid FROM pg_stat_activity WHERE application_name = $1"


async def _append_one(store: EventStore, make_event: MakeEvent) -> None:
    """One event of a new stream."""
    await store.append([StreamAppend(uuid4(), "Test", 0, [make_event(1)])], Metadata())


@contextlib.asynccontextmanager
async def _listening(database_url: str, poll_interval: float) -> AsyncIterator[Listener]:
    listener = Listener(database_url, poll_interval=poll_interval)
    await listener.start()
    try:
        await asyncio.wait_for(listener.connected.wait(), 10)
        yield listener
    finally:
        await listener.stop()


async def test_the_listener_wakes_a_waiter_when_an_event_is_appended(
    store: EventStore, database_url: str, make_event: MakeEvent
) -> None:
    async with _listening(database_url, poll_interval=60) as listener:
        armed = listener.arm()
        await _append_one(store, make_event)
        woken = await listener.wait(armed, timeout=5)
    assert woken is True


async def test_an_append_that_overlaps_another_wakes_listeners_after_it_commits(
    store: EventStore, database_url: str, make_event: MakeEvent
) -> None:
    async with _listening(database_url, poll_interval=60) as listener:
        armed = listener.arm()
        store._appending = 1  # as if another append were under way in this process
        try:
            await _append_one(store, make_event)
        finally:
            store._appending = 0
        woken = await listener.wait(armed, timeout=5)
        await store.close()
    assert woken is True


async def test_many_concurrent_appends_each_are_followed_by_a_wake_up(
    store: EventStore, database_url: str, make_event: MakeEvent
) -> None:
    async with _listening(database_url, poll_interval=60) as listener:

        async def append_then_wait() -> bool:
            armed = listener.arm()
            await _append_one(store, make_event)
            return await listener.wait(armed, timeout=5)

        woken = await asyncio.gather(*(append_then_wait() for _ in range(12)))
        await store.close()
    assert all(woken)


async def test_waiting_with_nothing_appended_returns_false_after_the_poll_interval(
    database_url: str,
) -> None:
    async with _listening(database_url, poll_interval=0.2) as listener:
        armed = listener.arm()
        loop = asyncio.get_running_loop()
        started = loop.time()
        woken = await listener.wait(armed)
        waited = loop.time() - started
    assert woken is False
    assert 0.15 <= waited < 5


async def test_a_listener_that_never_connected_still_returns_after_the_poll_interval() -> None:
    listener = Listener("postgresql://nobody@127.0.0.1:1/none", poll_interval=0.1)  # not started
    assert await listener.wait(listener.arm()) is False


async def test_the_listener_reconnects_after_its_connection_is_killed_and_wakes_waiters_again(
    store: EventStore, pool: asyncpg.Pool[Any], database_url: str, make_event: MakeEvent
) -> None:
    name = f"cso-test-listener-{uuid4().hex[:8]}"
    parts = urlsplit(database_url)
    query = "&".join(q for q in (parts.query, f"application_name={name}") if q)
    url = urlunsplit(parts._replace(query=query))
    async with _listening(url, poll_interval=60) as listener:
        (first,) = [r["pid"] for r in await pool.fetch(LISTENING, name)]
        armed = listener.arm()
        assert await pool.fetchval("SELECT pg_terminate_backend($1)", first)
        # Reconnecting wakes waiters itself: appends made while it was away are not lost.
        assert await listener.wait(armed, timeout=10) is True
        async with asyncio.timeout(10):
            while [r["pid"] for r in await pool.fetch(LISTENING, name)] in ([], [first]):
                await asyncio.sleep(0.01)
            await listener.connected.wait()
        armed = listener.arm()
        await _append_one(store, make_event)
        woken = await listener.wait(armed, timeout=5)
    assert woken is True


@pytest.mark.parametrize("batch_size", [2, 500])
async def test_follow_yields_appended_events_as_they_come(
    store: EventStore, database_url: str, make_event: MakeEvent, batch_size: int
) -> None:
    stream = uuid4()
    start = await store.head()
    got: list[int] = []
    # Notifications wake it; polls cover wake-ups that found the log held back by a
    # transaction still open elsewhere on the server.
    async with _listening(database_url, poll_interval=0.5) as listener:

        async def read_five() -> None:
            async with contextlib.aclosing(
                cast("Following", follow(store, listener, start, batch_size=batch_size))
            ) as log:
                async for batch in log:
                    got.extend(e.version for e in batch if e.stream_id == stream)
                    if len(got) >= 5:
                        return

        reader = asyncio.create_task(read_five())
        previous = None
        for version in range(5):
            result = await store.append(
                [StreamAppend(stream, "Test", version, [make_event(version + 1)], previous)],
                Metadata(),
            )
            previous = result.hashes[stream]
        await asyncio.wait_for(reader, 10)
    assert got == [1, 2, 3, 4, 5]
