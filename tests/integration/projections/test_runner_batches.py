"""The runner's batches: deferred writes still name a failing event, keep their order, and
batches grow while the runner is behind; events without a handler pass on the checkpoint."""

from __future__ import annotations

import itertools
import uuid
from collections import Counter
from typing import Any

import asyncpg
import pytest

from cso.domain.officer import Officer
from cso.eventstore import Checkpoint, RecordedEvent
from cso.projections.base import Projection
from cso.projections.failures import HandlerFailed
from tests.integration.projections.conftest import MakeRunner
from tests.integration.projections.factories import new_chain, new_officer
from tests.integration.projections.recording import (
    applied,
    checkpoint_row,
    recording_projection,
    start_at_head,
)
from tests.integration.projections.world import World

pytestmark = pytest.mark.usefixtures("applied_table")

CREATE_CHECKED = """
CREATE TABLE IF NOT EXISTS test_checked_events (
  projection text    NOT NULL,
  stream_id  uuid    NOT NULL,
  version    integer NOT NULL,
  seq        integer NOT NULL,
  ok         boolean NOT NULL CHECK (ok)
)
"""
# seq counts the rows written before this one: it shows the order the writes ran in.
INSERT_CHECKED = """
INSERT INTO test_checked_events
SELECT $1, $2, $3, (SELECT count(*) FROM test_checked_events WHERE projection = $1), $4
"""
SELECT_CHECKED = """
SELECT stream_id, version FROM test_checked_events WHERE projection = $1 ORDER BY seq
"""


def fresh_name(purpose: str) -> str:
    return f"test-{purpose}-{uuid.uuid4().hex[:8]}"


def checked_projection(
    name: str, refuse: set[uuid.UUID], seen: list[str], *, read_first: bool = False
) -> Projection:
    """Writes a row per officer event; the database refuses rows of `refuse`'s streams, which
    the handler cannot know: the failure shows only when the writes are sent (or, with
    `read_first`, when the next event's handler reads)."""
    projection = Projection(name)

    @projection.on(Officer, "Registered", "RolesChanged")
    async def write(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
        seen.append(type(conn).__name__)
        if read_first:
            await conn.fetchval("SELECT count(*) FROM test_checked_events")
        ok = recorded.stream_id not in refuse
        await conn.execute(INSERT_CHECKED, name, recorded.stream_id, recorded.version, ok)

    return projection


@pytest.fixture
async def checked_table(pool: asyncpg.Pool[Any]) -> None:
    await pool.execute(CREATE_CHECKED)


async def test_a_write_refused_only_when_the_batch_is_flushed_rolls_the_batch_back_and_names_its_event(  # noqa: E501
    world: World, make_runner: MakeRunner, checked_table: None
) -> None:
    name = fresh_name("deferred")
    first, poison, third = new_officer(), new_officer(), new_officer()
    refuse = {poison.id}
    seen: list[str] = []
    start = await start_at_head(world.pool, world.store, name)
    last = await world.append(first, poison, third)  # one transaction: one batch
    runner = make_runner(checked_projection(name, refuse, seen))

    with pytest.raises(HandlerFailed) as failure:
        await runner.catch_up_to(last)

    assert (failure.value.recorded.stream_id, failure.value.recorded.version) == (poison.id, 1)
    assert isinstance(failure.value.__cause__, asyncpg.CheckViolationError)
    assert seen[:3] == ["BatchWriter"] * 3, "first with deferred writes"
    assert "Connection" in seen[3], "then again, statement by statement, to find the event"
    assert await world.pool.fetch(SELECT_CHECKED, name) == []
    row = await checkpoint_row(world.pool, name)
    assert Checkpoint(row["transaction_id"], row["position"]) == start
    assert row["error_position"] == failure.value.recorded.position
    assert row["last_error"].startswith("CheckViolationError")

    refuse.clear()
    assert await runner.catch_up_to(last) >= last

    written = [(r["stream_id"], r["version"]) for r in await world.pool.fetch(SELECT_CHECKED, name)]
    assert written == [(first.id, 1), (poison.id, 1), (third.id, 1)]
    assert runner.last_error is None


async def test_a_refused_write_sent_by_the_next_event_s_read_is_still_blamed_on_its_own_event(
    world: World, make_runner: MakeRunner, checked_table: None
) -> None:
    name = fresh_name("read-flush")
    poison, reader = new_officer(), new_officer()
    seen: list[str] = []
    await start_at_head(world.pool, world.store, name)
    last = await world.append(poison, reader)
    runner = make_runner(checked_projection(name, {poison.id}, seen, read_first=True))

    with pytest.raises(HandlerFailed) as failure:
        await runner.catch_up_to(last)

    assert failure.value.recorded.stream_id == poison.id
    assert await world.pool.fetch(SELECT_CHECKED, name) == []


async def test_a_batch_s_deferred_writes_run_in_the_order_of_its_events(
    world: World, make_runner: MakeRunner, checked_table: None
) -> None:
    name = fresh_name("order")
    officers = [new_officer() for _ in range(30)]
    for officer in officers[::3]:
        officer.change_roles([])  # a second event, between other officers' first ones
    seen: list[str] = []
    await start_at_head(world.pool, world.store, name)
    last = await world.append(*officers)
    runner = make_runner(checked_projection(name, set(), seen))

    await runner.catch_up_to(last)

    written = [(r["stream_id"], r["version"]) for r in await world.pool.fetch(SELECT_CHECKED, name)]
    in_the_log = [
        (e.stream_id, e.version)
        for e in await world.store.read_log(Checkpoint(), 100_000)
        if e.stream_id in {o.id for o in officers}
    ]
    assert written == in_the_log
    assert len(written) == 40
    assert set(seen) == {"BatchWriter"}


async def test_a_runner_far_behind_reads_ever_bigger_batches_and_applies_each_event_once(
    world: World, make_runner: MakeRunner
) -> None:
    name = fresh_name("behind")
    officers = [new_officer() for _ in range(20)]
    await start_at_head(world.pool, world.store, name)
    for officer in officers:
        last = await world.append(officer)  # twenty transactions
    commits: list[Checkpoint] = []
    runner = make_runner(
        recording_projection(name, {o.id for o in officers}),
        batch_size=2,
        on_commit=lambda _, checkpoint: commits.append(checkpoint),
    )

    assert await runner.catch_up_to(last) >= last

    assert await applied(world.pool, name) == Counter({(o.id, 1): 1 for o in officers})
    # 2 + 4 + 8 + 6 events (after the checkpoint it loaded), not ten batches of two; more
    # when a transaction open elsewhere on the server holds the log back and a read comes
    # back short (which starts the sizes over), as another test run's may.
    sizes = [b.position - a.position for a, b in itertools.pairwise(commits)]
    assert len(sizes) < 10 and max(sizes) >= 4, sizes


async def test_events_without_a_handler_pass_by_on_the_checkpoint_alone(
    world: World, make_runner: MakeRunner
) -> None:
    name = fresh_name("unhandled")
    await start_at_head(world.pool, world.store, name)
    last = await world.append(new_chain(), new_chain())
    runner = make_runner(recording_projection(name, set()))

    assert await runner.catch_up_to(last) >= last

    row = await checkpoint_row(world.pool, name)
    assert Checkpoint(row["transaction_id"], row["position"]) >= last
    assert await applied(world.pool, name) == Counter()
