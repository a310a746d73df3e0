"""Events held back by an older open transaction are applied as soon as it ends."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from cso.eventstore import Checkpoint, Codec, Listener
from cso.projections.runner import ProjectionRunner
from tests.integration.projections.factories import new_officer
from tests.integration.projections.recording import recording_projection, start_at_head
from tests.integration.projections.world import World, until

pytestmark = pytest.mark.usefixtures("applied_table")

SLOW_POLL = 5.0  # seconds: far longer than the test allows, so only the runner's look-again counts


@pytest.fixture
async def slow_listener(database_url: str) -> AsyncIterator[Listener]:
    listener = Listener(database_url, poll_interval=SLOW_POLL)
    await listener.start()
    yield listener
    await listener.stop()


async def test_an_event_held_back_by_an_open_transaction_is_applied_soon_after_it_ends(
    world: World, database_url: str, codec: Codec, slow_listener: Listener
) -> None:
    name = f"test-watermark-{uuid.uuid4().hex[:8]}"
    officer = new_officer()
    await start_at_head(world.pool, world.store, name)
    runner = ProjectionRunner(
        recording_projection(name, {officer.id}),
        database_url=database_url,
        store=world.store,
        codec=codec,
        listener=slow_listener,
    )
    following = asyncio.create_task(runner.run_forever())
    try:
        await until(runner.holds_lock.is_set, "the runner holds its lock")
        async with world.pool.acquire() as blocker, blocker.transaction():
            await blocker.fetchval("SELECT pg_current_xact_id()")  # an older transaction id
            appended = await world.append(officer)
            await asyncio.sleep(0.2)  # the NOTIFY has come and gone; the event is held back
            assert _behind(runner, appended)
        loop = asyncio.get_running_loop()
        ended = loop.time()
        await until(lambda: not _behind(runner, appended), "the runner applied it", seconds=3)
        assert loop.time() - ended < 1.0
    finally:
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)


def _behind(runner: ProjectionRunner, target: Checkpoint) -> bool:
    return runner.checkpoint is None or runner.checkpoint < target
