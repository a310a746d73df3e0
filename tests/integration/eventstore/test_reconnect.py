"""After the database comes back, LISTEN resumes and wake-ups go out promptly (issue 12,
faults 13 and 14)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from cso.database import create_pool
from cso.eventstore import EventStore, Listener, Metadata, StreamAppend
from cso.eventstore.listener import CHANNEL
from tests.integration.eventstore.conftest import MakeEvent
from tests.outage import outage_proxy

OUTAGE_SECONDS = 4.0


async def test_the_listener_listens_again_within_a_second_and_a_half_of_the_databases_return(
    database_url: str,
) -> None:
    async with outage_proxy(database_url) as proxy:
        listener = Listener(proxy.url, poll_interval=60)
        await listener.start()
        try:
            await asyncio.wait_for(listener.connected.wait(), 10)
            await proxy.down()
            await asyncio.sleep(OUTAGE_SECONDS)  # long enough for a backoff to grow
            assert not listener.connected.is_set()
            await proxy.up()
            loop = asyncio.get_running_loop()
            back = loop.time()
            await asyncio.wait_for(listener.connected.wait(), 10)
            assert loop.time() - back < 1.5
        finally:
            await listener.stop()


async def test_a_wake_up_on_a_connection_that_broke_is_sent_again_and_raises_nothing(
    database_url: str, make_event: MakeEvent, caplog: pytest.LogCaptureFixture
) -> None:
    woken = asyncio.Event()
    listening = await asyncpg.connect(database_url)
    await listening.add_listener(CHANNEL, lambda *_: woken.set())
    loop = asyncio.get_running_loop()
    unretrieved: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _, context: unretrieved.append(context))
    async with outage_proxy(database_url) as proxy:
        pool = await create_pool(proxy.url, min_size=1, max_size=1)
        try:
            store = EventStore(pool)
            await store.append([StreamAppend(uuid4(), "Test", 0, [make_event(1)])], Metadata())
            await asyncio.sleep(0.2)
            woken.clear()
            with caplog.at_level(logging.WARNING, logger="cso.eventstore.store"):
                proxy.freeze()
                store._wake()  # the NOTIFY an overlapping append leaves to the sender
                await asyncio.sleep(0.2)  # sent, and hanging
                await proxy.down()  # the connection breaks mid-query
                await proxy.up()
                await store.close()
                await asyncio.wait_for(woken.wait(), 5)
            assert "could not NOTIFY" not in caplog.text
        finally:
            await pool.close()
            await listening.close()
            loop.set_exception_handler(None)
    assert unretrieved == []
