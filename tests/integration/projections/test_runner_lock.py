"""One runner per projection across processes: the advisory lock, and taking over."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import pytest

from cso.eventstore import RecordedEvent
from cso.projections.lock import lock_key
from cso.projections.runner import ProjectionRunner
from tests.integration.projections.conftest import MakeRunner
from tests.integration.projections.factories import new_officer
from tests.integration.projections.recording import applied, recording_projection, start_at_head
from tests.integration.projections.world import World, until

pytestmark = pytest.mark.usefixtures("applied_table")

LOCK_HOLDER = """
SELECT pid FROM pg_locks
WHERE locktype = 'advisory' AND granted AND classid = $1 AND objid = $2 AND objsubid = 1
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


async def lock_holder(world: World, runner: ProjectionRunner) -> int:
    key = lock_key(runner.name)
    pids: list[int] = [
        row["pid"] for row in await world.pool.fetch(LOCK_HOLDER, key >> 32, key & 0xFFFFFFFF)
    ]
    assert len(pids) == 1, f"one connection holds the lock, not {pids}"
    return pids[0]


async def test_only_one_runner_holds_the_lock_and_another_takes_over_mid_batch_when_its_connection_dies(  # noqa: E501
    world: World, make_runner: MakeRunner
) -> None:
    name = f"test-lock-{uuid.uuid4().hex[:8]}"
    officers = [new_officer() for _ in range(3)]
    streams = {officer.id for officer in officers}
    reached, gate = asyncio.Event(), asyncio.Event()

    async def stall_on_the_second(recorded: RecordedEvent) -> None:
        if recorded.stream_id == officers[1].id:
            reached.set()
            await gate.wait()

    # Two processes' runners of one projection; the first stalls inside its batch.
    first = make_runner(
        recording_projection(name, streams, stall_on_the_second),
        lock_poll_interval=0.02,
        retry_interval=30.0,
    )
    second = make_runner(recording_projection(name, streams), lock_poll_interval=0.02)
    await start_at_head(world.pool, world.store, name)
    tasks = [asyncio.create_task(first.run_forever())]
    try:
        await asyncio.wait_for(first.holds_lock.wait(), 10)
        tasks.append(asyncio.create_task(second.run_forever()))
        last = await world.append(*officers)  # one transaction, so one batch
        await asyncio.wait_for(reached.wait(), 10)

        assert first.holds_lock.is_set()
        assert not second.holds_lock.is_set()
        assert await applied(world.pool, name) == Counter(), "nothing committed yet"

        await world.pool.execute("SELECT pg_terminate_backend($1)", await lock_holder(world, first))
        await until(lambda: not first.holds_lock.is_set(), "the first runner saw its loss")
        gate.set()
        await until(
            lambda: second.checkpoint is not None and second.checkpoint >= last,
            "the second runner took over and passed the append",
        )
        assert second.holds_lock.is_set()
        assert not first.holds_lock.is_set()
        assert await lock_holder(world, second) != 0
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    assert await applied(world.pool, name) == Counter({(stream, 1): 1 for stream in streams})
