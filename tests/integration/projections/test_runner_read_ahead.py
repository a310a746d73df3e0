"""A runner far behind reads its next batch ahead on a second connection and prepares its
writes while the batch before it commits: each event is still applied once, in order, a
failure drops what was read ahead, a handler that reads gets its batch applied in its turn,
and the reader goes once caught up."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import asyncpg
import pytest

from cso.domain.officer import Officer
from cso.eventstore import Checkpoint, RecordedEvent
from cso.projections.base import Projection
from cso.projections.batch import BatchWriter
from cso.projections.failures import HandlerFailed
from tests.integration.projections.conftest import MakeRunner
from tests.integration.projections.factories import new_officer
from tests.integration.projections.recording import (
    applied,
    checkpoint_row,
    recording_projection,
    start_at_head,
)
from tests.integration.projections.world import World

pytestmark = pytest.mark.usefixtures("applied_table")

READERS = "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1"


def fresh_name(purpose: str) -> str:
    return f"test-{purpose}-{uuid.uuid4().hex[:8]}"


async def test_a_runner_far_behind_reads_ahead_on_a_second_connection_and_applies_each_event_once(
    world: World, make_runner: MakeRunner
) -> None:
    name = fresh_name("ahead")
    reader = f"cso-projection-reader:{name}"
    officers = [new_officer() for _ in range(12)]
    await start_at_head(world.pool, world.store, name)
    for officer in officers:
        last = await world.append(officer)
    readers_seen: list[int] = []

    async def look_for_the_reader(recorded: RecordedEvent) -> None:
        readers_seen.append(await world.pool.fetchval(READERS, reader))

    runner = make_runner(
        recording_projection(name, {o.id for o in officers}, look_for_the_reader), batch_size=2
    )

    assert await runner.catch_up_to(last) >= last

    assert await applied(world.pool, name) == Counter({(o.id, 1): 1 for o in officers})
    assert max(readers_seen) == 1, "the next batch was read on a connection of its own"
    assert await world.pool.fetchval(READERS, reader) == 0, "and it was closed once caught up"


async def test_a_failure_drops_the_batch_read_ahead_and_the_retry_applies_every_event_once(
    world: World, make_runner: MakeRunner
) -> None:
    name = fresh_name("ahead-fails")
    officers = [new_officer() for _ in range(12)]
    poison = officers[5]
    start = await start_at_head(world.pool, world.store, name)
    for officer in officers:
        last = await world.append(officer)
    broken = True
    seen: Counter[uuid.UUID] = Counter()

    async def fail_on_poison(recorded: RecordedEvent) -> None:
        seen[recorded.stream_id] += 1
        if broken and recorded.stream_id == poison.id:
            raise RuntimeError("boom")

    runner = make_runner(
        recording_projection(name, {o.id for o in officers}, fail_on_poison), batch_size=2
    )

    with pytest.raises(HandlerFailed) as failure:
        await runner.catch_up_to(last)

    assert failure.value.recorded.stream_id == poison.id
    done = await applied(world.pool, name)
    # Batches of 2, then 4 (officers 2-5, the poison last): the first committed, the second
    # rolled back whole, and the 8 read ahead behind it were dropped. (A transaction open
    # elsewhere on the server can hold the log back and cut a read short: then other whole
    # batches commit, still a run of officers that stops before the poison.)
    committed = [o for o in officers if done[(o.id, 1)]]
    assert committed == officers[: len(committed)] and len(committed) < 5, "whole batches"
    assert set(done.values()) <= {1}, "each once"
    # The 8 behind it may have been prepared (their handlers run), never committed.
    assert all(seen[o.id] <= 1 for o in officers[6:])
    row = await checkpoint_row(world.pool, name)
    assert Checkpoint(row["transaction_id"], row["position"]) > start
    assert row["error_position"] == failure.value.recorded.position

    broken = False
    assert await runner.catch_up_to(last) >= last

    assert await applied(world.pool, name) == Counter({(o.id, 1): 1 for o in officers})
    assert await world.pool.fetchval(READERS, f"cso-projection-reader:{name}") == 0


WRITE_SEEN = "INSERT INTO test_applied_events VALUES ($1, $2, $3)"
COUNT_SEEN = "SELECT count(*) FROM test_applied_events WHERE projection = $1"


def officers_projection(
    name: str, streams: set[uuid.UUID], *, reads: bool
) -> tuple[Projection, list[tuple[uuid.UUID, bool, int | None]]]:
    """Writes a row per officer event of `streams`; notes for each call whether its writer
    had a connection yet, and (with `reads`) how many rows it read before its own write."""
    projection = Projection(name)
    calls: list[tuple[uuid.UUID, bool, int | None]] = []

    @projection.on(Officer, "Registered")
    async def write(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
        if recorded.stream_id not in streams:
            return
        attached = not isinstance(conn, BatchWriter) or conn._conn is not None
        count = await conn.fetchval(COUNT_SEEN, name) if reads else None
        calls.append((recorded.stream_id, attached, count))
        await conn.execute(WRITE_SEEN, name, recorded.stream_id, recorded.version)

    return projection, calls


async def twelve_officers_ahead(world: World, name: str) -> tuple[list[Any], Checkpoint]:
    """Twelve officers registered after `name`'s checkpoint, one transaction each; the last
    one's checkpoint."""
    officers = [new_officer() for _ in range(12)]
    await start_at_head(world.pool, world.store, name)
    for officer in officers:
        last = await world.append(officer)
    return officers, last


async def test_the_batch_read_ahead_is_prepared_without_a_connection_and_applied_once_in_order(
    world: World, make_runner: MakeRunner
) -> None:
    name = fresh_name("prepared")
    officers, last = await twelve_officers_ahead(world, name)
    projection, calls = officers_projection(name, {o.id for o in officers}, reads=False)
    runner = make_runner(projection, batch_size=2)

    assert await runner.catch_up_to(last) >= last

    assert await applied(world.pool, name) == Counter({(o.id, 1): 1 for o in officers})
    assert [stream for stream, _, _ in calls] == [o.id for o in officers], "once each, in order"
    # Every batch after the first is read ahead (unless a transaction open elsewhere on the
    # server holds the log back and a read comes back short).
    prepared = {stream for stream, attached, _ in calls if not attached}
    assert prepared and prepared <= {o.id for o in officers[2:]}


async def test_a_handler_that_reads_in_a_batch_read_ahead_has_it_applied_in_its_turn(
    world: World, make_runner: MakeRunner
) -> None:
    name = fresh_name("prepared-reads")
    officers, last = await twelve_officers_ahead(world, name)
    projection, calls = officers_projection(name, {o.id for o in officers}, reads=True)
    runner = make_runner(projection, batch_size=2)

    assert await runner.catch_up_to(last) >= last

    assert await applied(world.pool, name) == Counter({(o.id, 1): 1 for o in officers})
    assert [(stream, count) for stream, _, count in calls] == [
        (o.id, index) for index, o in enumerate(officers)
    ], "each read saw every earlier event's write, and no handler ran twice past its read"


async def test_a_runner_stopped_while_it_prepares_a_batch_leaves_whole_batches_and_no_reader(
    world: World, make_runner: MakeRunner
) -> None:
    name = fresh_name("prepared-stopped")
    reader = f"cso-projection-reader:{name}"
    officers = [new_officer() for _ in range(12)]
    await start_at_head(world.pool, world.store, name)
    for officer in officers:
        last = await world.append(officer)
    stuck = asyncio.Event()

    async def hang_while_prepared(recorded: RecordedEvent) -> None:
        # The third batch's events (officers 6-13) are prepared while the second commits.
        if recorded.stream_id == officers[7].id and not stuck.is_set():
            stuck.set()
            await asyncio.Event().wait()  # until the runner is stopped

    runner = make_runner(
        recording_projection(name, {o.id for o in officers}, hang_while_prepared), batch_size=2
    )
    task = asyncio.create_task(runner.catch_up_to(last))
    await asyncio.wait_for(stuck.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    done = await applied(world.pool, name)
    committed = [o for o in officers if done[(o.id, 1)]]
    assert committed == officers[: len(committed)] and set(done.values()) <= {1}
    for _ in range(50):  # (its server process may outlive the close by a moment)
        if not await world.pool.fetchval(READERS, reader):
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("the reader was left open")

    assert (
        await make_runner(
            recording_projection(name, {o.id for o in officers}), batch_size=2
        ).catch_up_to(last)
        >= last
    )
    assert await applied(world.pool, name) == Counter({(o.id, 1): 1 for o in officers})
