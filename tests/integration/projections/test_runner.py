"""A failing handler never half-applies a batch, and no event is ever skipped."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import pytest

from cso.domain.enums import OfficerRole
from cso.eventstore import Checkpoint, EventStore, RecordedEvent
from cso.projections.failures import HandlerFailed
from cso.projections.supervisor import ProjectionSupervisor
from tests.integration.projections.conftest import MakeRunner
from tests.integration.projections.factories import new_officer
from tests.integration.projections.recording import (
    applied,
    checkpoint_row,
    recording_projection,
    start_at_head,
)
from tests.integration.projections.world import World, until

pytestmark = pytest.mark.usefixtures("applied_table")


def fresh_name(purpose: str) -> str:
    return f"test-{purpose}-{uuid.uuid4().hex[:8]}"


async def test_a_handler_failing_mid_batch_leaves_no_partial_writes_and_the_retry_applies_each_event_once(  # noqa: E501
    world: World, make_runner: MakeRunner
) -> None:
    name = fresh_name("crash")
    first, second, third = new_officer(), new_officer(), new_officer()
    broken = True
    seen: Counter[tuple[uuid.UUID, int]] = Counter()

    async def fail_on_second_change(recorded: RecordedEvent) -> None:
        seen[recorded.stream_id, recorded.version] += 1
        if broken and (recorded.stream_id, recorded.version) == (second.id, 2):
            raise RuntimeError("boom")

    projection = recording_projection(name, {first.id, second.id, third.id}, fail_on_second_change)
    start = await start_at_head(world.pool, world.store, name)
    second.change_roles([OfficerRole.CSO, OfficerRole.CASO])
    # One append, so that the log shows all four events at once: one batch.
    last = await world.append(first, second, third)
    runner = make_runner(projection)

    with pytest.raises(HandlerFailed) as failure:
        await runner.catch_up_to(last)

    assert failure.value.recorded.stream_id == second.id
    assert seen[first.id, 1] == seen[second.id, 2] == 1, "the batch ran up to the failure"
    assert await applied(world.pool, name) == Counter(), "the batch rolled back whole"
    row = await checkpoint_row(world.pool, name)
    assert Checkpoint(row["transaction_id"], row["position"]) == start
    assert row["last_error"] == "RuntimeError: boom"
    assert row["error_position"] == failure.value.recorded.position
    assert runner.last_error is not None and runner.last_error.failures == 1

    broken = False
    assert await runner.catch_up_to(last) >= last

    assert await applied(world.pool, name) == Counter(
        {(first.id, 1): 1, (second.id, 1): 1, (second.id, 2): 1, (third.id, 1): 1}
    )
    assert seen[first.id, 1] == 2, "applied again after the rollback, committed once"
    row = await checkpoint_row(world.pool, name)
    assert (row["last_error"], row["error_position"], row["failures"]) == (None, None, 0)
    assert runner.last_error is None


async def test_a_poison_event_halts_the_projection_just_before_it_until_a_fixed_handler_passes_it(
    world: World, make_runner: MakeRunner, event_store: EventStore
) -> None:
    name = fresh_name("poison")
    before, poison, after = new_officer(), new_officer(), new_officer()
    broken = True

    async def fail_on_poison(recorded: RecordedEvent) -> None:
        if broken and recorded.stream_id == poison.id:
            raise ValueError("cannot handle this officer")

    projection = recording_projection(name, {before.id, poison.id, after.id}, fail_on_poison)
    await start_at_head(world.pool, world.store, name)
    at_before = await world.append(before)
    at_poison = await world.append(poison)
    at_after = await world.append(after)
    runner = make_runner(projection, retry_interval=0.01, max_backoff=0.05)
    task = asyncio.create_task(runner.run_forever())
    try:
        await until(
            lambda: runner.last_error is not None and runner.last_error.failures >= 3,
            "the poison event failed three times",
        )
        row = await checkpoint_row(world.pool, name)
        assert at_before <= Checkpoint(row["transaction_id"], row["position"]) < at_poison
        assert await applied(world.pool, name) == Counter({(before.id, 1): 1})
        error = runner.last_error
        assert error is not None
        assert (error.stream_id, error.message) == (
            poison.id,
            "ValueError: cannot handle this officer",
        )
        [status] = await ProjectionSupervisor(
            [projection],
            database_url=runner.database_url,
            store=event_store,
            codec=runner.codec,
            listener=runner.listener,
        ).status()
        assert status.last_error == "ValueError: cannot handle this officer"
        assert status.error_position == error.position
        assert status.failures >= 2  # the table trails the runner by at most one failure
        assert status.lag_events >= 2

        broken = False
        await until(
            lambda: runner.checkpoint is not None and runner.checkpoint >= at_after,
            "the runner passed the last event",
        )
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    assert await applied(world.pool, name) == Counter(
        {(before.id, 1): 1, (poison.id, 1): 1, (after.id, 1): 1}
    )
    assert runner.last_error is None
    assert (await checkpoint_row(world.pool, name))["last_error"] is None
