"""A runner follows the log again within a second or so of the database's return, however
long it was away (issue 12, fault 13)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.integration.projections.conftest import MakeRunner
from tests.integration.projections.factories import new_officer
from tests.integration.projections.recording import applied, recording_projection, start_at_head
from tests.integration.projections.world import World
from tests.outage import outage_proxy

pytestmark = pytest.mark.usefixtures("applied_table")

OUTAGE_SECONDS = 4.0


async def test_a_write_made_right_after_the_database_returns_is_projected_within_two_seconds(
    world: World, make_runner: MakeRunner, database_url: str
) -> None:
    name = f"test-reconnect-{uuid.uuid4().hex[:8]}"
    officer = new_officer()
    await start_at_head(world.pool, world.store, name)
    async with outage_proxy(database_url) as proxy:
        runner = make_runner(recording_projection(name, {officer.id}))
        runner.database_url = proxy.url  # the runner's own connection goes through the proxy
        task = asyncio.create_task(runner.run_forever())
        try:
            await asyncio.wait_for(runner.holds_lock.wait(), 10)
            await proxy.down()
            await asyncio.sleep(OUTAGE_SECONDS)  # long enough for a backoff to grow
            await proxy.up()
            loop = asyncio.get_running_loop()
            back = loop.time()
            await world.append(officer)
            while not await applied(world.pool, name):
                assert loop.time() - back < 2.0, "the write is not projected yet"
                await asyncio.sleep(0.02)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
