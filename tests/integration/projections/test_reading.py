"""A runner's read of the log: the events it handles, in commit order, and the last one read
whatever its type; whether the log has more."""

from __future__ import annotations

import asyncio

from cso.eventstore import Checkpoint, Codec
from cso.projections.reading import LogRead, read_log
from tests.integration.projections.factories import new_chain, new_officer
from tests.integration.projections.recording import recording_projection
from tests.integration.projections.world import World

PROJECTION = recording_projection("test-reading", set())  # handles officers' events only


async def read_through(
    world: World, codec: Codec, after: Checkpoint, limit: int, last: int
) -> LogRead:
    """The read after `after`, once it reaches the event at position `last` (a transaction
    open elsewhere on the server may hold the log back for a moment)."""
    async with world.pool.acquire() as conn:
        for _ in range(100):
            read = await read_log(conn, PROJECTION, codec, after, limit)
            if read.batch and read.batch[-1].position >= last:
                return read
            await asyncio.sleep(0.05)
    raise AssertionError(f"the log was not read through position {last}")


async def test_a_read_brings_the_handled_events_in_order_and_ends_on_the_last_it_read(
    world: World, codec: Codec
) -> None:
    start = await world.store.newest()
    appended = []
    for _ in range(3):  # officer, chain, officer, chain, ...: each its own transaction
        appended.append(await world.append(new_officer()))
        appended.append(await world.append(new_chain()))
    officer_1, _, officer_2, chain_2, officer_3, chain_3 = appended

    first = await read_through(world, codec, start, 4, chain_2.position)

    assert [r.checkpoint for r in first.batch] == [officer_1, officer_2, chain_2]
    assert first.full, "four read: the log has more"
    assert sorted(first.events) == [officer_1.position, officer_2.position], "only those decoded"
    assert first.batch[-1].metadata == {}, "the last one's data and metadata are not sent"

    second = await read_through(world, codec, chain_2, 4, chain_3.position)

    assert [r.checkpoint for r in second.batch] == [officer_3, chain_3]
    assert not second.full, "two read of four asked: nothing more yet"

    async with world.pool.acquire() as conn:
        assert (await read_log(conn, PROJECTION, codec, chain_3, 4)).batch == []
