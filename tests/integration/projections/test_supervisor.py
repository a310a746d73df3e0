"""Read-your-writes waits and the projections' status."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from cso.domain.enums import OfficerRole
from cso.eventstore import Codec, EventStore, Listener
from cso.eventstore.records import InvalidToken
from cso.projections.base import Projection
from cso.projections.supervisor import ProjectionStatus, ProjectionSupervisor
from tests.integration.projections.factories import new_officer
from tests.integration.projections.world import World

MakeSupervisor = Callable[[Projection], ProjectionSupervisor]


@pytest.fixture
async def make_supervisor(
    database_url: str, event_store: EventStore, codec: Codec, listener: Listener
) -> AsyncIterator[MakeSupervisor]:
    """Supervisors of one projection each, stopped after the test."""
    made: list[ProjectionSupervisor] = []

    def make(projection: Projection) -> ProjectionSupervisor:
        supervisor = ProjectionSupervisor(
            [projection],
            database_url=database_url,
            store=event_store,
            codec=codec,
            listener=listener,
            lock_poll_interval=0.02,
        )
        made.append(supervisor)
        return supervisor

    yield make
    for supervisor in made:
        await supervisor.stop()


def idle_projection() -> Projection:
    """A projection without handlers: its runner only moves the checkpoint."""
    return Projection(f"test-idle-{uuid.uuid4().hex[:8]}")


async def test_wait_for_returns_true_once_the_runner_has_passed_the_token(
    world: World, make_supervisor: MakeSupervisor
) -> None:
    supervisor = make_supervisor(idle_projection())
    await supervisor.start()
    token = (await world.append(new_officer())).token()

    assert await supervisor.wait_for(token, timeout=10)
    assert await supervisor.wait_for(token, timeout=0), "already passed: no wait at all"


async def test_wait_for_returns_false_when_the_timeout_passes_and_no_runner_runs(
    world: World, make_supervisor: MakeSupervisor
) -> None:
    supervisor = make_supervisor(idle_projection())
    token = (await world.append(new_officer())).token()

    started = time.monotonic()
    assert not await supervisor.wait_for(token, timeout=0.2)
    waited = time.monotonic() - started

    assert 0.19 <= waited < 0.5


async def test_wait_for_sees_a_runner_in_another_process_through_the_checkpoint_table(
    world: World, make_supervisor: MakeSupervisor
) -> None:
    projection = idle_projection()
    worker = make_supervisor(projection)
    observer = make_supervisor(Projection(projection.name))  # runs nothing itself
    await worker.start()
    token = (await world.append(new_officer())).token()

    assert await observer.wait_for(token, timeout=10)
    assert not observer.runners[0].holds_lock.is_set()


async def test_wait_for_refuses_a_token_that_is_not_one(make_supervisor: MakeSupervisor) -> None:
    supervisor = make_supervisor(idle_projection())

    with pytest.raises(InvalidToken):
        await supervisor.wait_for("not a token!")


async def test_status_counts_the_events_and_seconds_a_projection_lags_behind(
    world: World, make_supervisor: MakeSupervisor
) -> None:
    projection = idle_projection()
    supervisor = make_supervisor(projection)
    total = await world.pool.fetchval("SELECT count(*) FROM events")

    [never_run] = await supervisor.status()
    assert never_run.name == projection.name
    assert (never_run.position, never_run.lag_events) == (0, total)
    assert never_run.lag_seconds > 0
    assert not never_run.running

    await supervisor.start()
    head = await world.store.head()
    assert await supervisor.wait_for(head.token(), timeout=10)
    assert await supervisor.status() == [
        ProjectionStatus(projection.name, head.position, 0, 0.0, running=True)
    ]

    await supervisor.stop()
    officer = new_officer()
    officer.change_roles([OfficerRole.CSO, OfficerRole.FIRST_SECRETARY])
    await world.append(officer)  # two events, not yet applied
    [behind] = await supervisor.status()
    assert (behind.position, behind.lag_events) == (head.position, 2)
    assert 0 <= behind.lag_seconds < 60
