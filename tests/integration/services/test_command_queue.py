"""One command per aggregate at a time in a process; re-runs only after another process."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import date
from typing import Any

import pytest

from cso.domain.enums import ServiceKind
from cso.domain.officer import Officer
from cso.domain.project import Project
from cso.eventstore import EventStore, Repository
from cso.services import projects
from cso.services.application import Application, UnitOfWork
from cso.services.errors import Conflict
from tests.integration.services.conftest import (
    TODAY,
    another_process,
    command,
    new_officer,
    project_version,
    project_with_cso,
    record_service,
    recorded_services,
)


async def test_96_concurrent_commands_on_one_project_in_one_process_all_succeed_unconflicted(
    app: Application,
) -> None:
    project_id, _ = await project_with_cso(app)
    reruns = app.reruns
    started = time.perf_counter()
    outcomes = await asyncio.gather(*(record_service(app, project_id, n) for n in range(96)))
    elapsed = time.perf_counter() - started
    assert {o["service"] for o in outcomes} <= await recorded_services(app, project_id)
    assert len({o["service"] for o in outcomes}) == 96
    assert app.reruns == reruns  # writers of one process queue; none conflicted
    assert len(app.locks) == 0  # every lock entry was dropped once its last user left
    print(f"96 commands on one project, one process: {elapsed:.2f} s")


async def test_96_commands_split_over_two_processes_all_succeed_and_all_are_in_the_stream(
    app: Application,
) -> None:
    project_id, _ = await project_with_cso(app)
    other = another_process(app)
    reruns = app.reruns + other.reruns
    started = time.perf_counter()
    outcomes = await asyncio.gather(
        *(record_service(app if n % 2 else other, project_id, n) for n in range(96))
    )
    elapsed = time.perf_counter() - started
    assert len({o["service"] for o in outcomes}) == 96
    assert {o["service"] for o in outcomes} <= await recorded_services(app, project_id)
    print(
        f"96 commands on one project, two processes: {elapsed:.2f} s, "
        f"{app.reruns + other.reruns - reruns} re-runs"
    )


async def test_128_commands_over_four_processes_all_succeed_under_heavy_contention(
    app: Application,
) -> None:
    project_id, _ = await project_with_cso(app)
    processes = [app, *(another_process(app) for _ in range(3))]
    outcomes = await asyncio.gather(
        *(record_service(processes[n % 4], project_id, n) for n in range(128))
    )
    assert len({o["service"] for o in outcomes}) == 128
    assert {o["service"] for o in outcomes} <= await recorded_services(app, project_id)


async def test_commands_pinned_to_one_version_in_one_process_let_one_through_and_conflict_the_rest(
    app: Application,
) -> None:
    project_id, _ = await project_with_cso(app)
    version = await project_version(app, project_id)
    outcomes = await asyncio.gather(
        *(record_service(app, project_id, n, expected_version=version) for n in range(8)),
        return_exceptions=True,
    )
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(conflicts) == 7
    assert {c.extensions["currentVersion"] for c in conflicts} == {version + 1}
    assert await project_version(app, project_id) == version + 1


def _record_loading_the_officer_first(
    app: Application, officer_id: uuid.UUID, project_id: uuid.UUID
) -> Any:
    """A command that loads the officer and then the project: the opposite of assignCso."""

    async def attempt(uow: UnitOfWork) -> dict[str, uuid.UUID]:
        await uow.get(officer_id, Officer)
        project = await uow.get(project_id, Project)
        project.record_service(ServiceKind.VISIT, "走访", TODAY, uow.today)
        return {"project": project_id}

    return app.execute(command(), attempt)


async def test_commands_loading_the_same_two_streams_in_opposite_orders_never_deadlock(
    app: Application,
) -> None:
    project_id, first = await project_with_cso(app)
    second = await new_officer(app)
    officers = [first, second]

    async def reassign(n: int) -> None:
        await projects.assign_cso(
            app,
            command(reason="轮换"),
            project_id=project_id,
            officer_id=officers[n % 2],
        )

    rounds = []
    for n in range(20):
        rounds.append(reassign(n))
        rounds.append(_record_loading_the_officer_first(app, officers[n % 2], project_id))
    outcomes = await asyncio.wait_for(asyncio.gather(*rounds, return_exceptions=True), 30)
    # Reassigning the officer who already holds the project is refused; nothing else fails.
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert all(type(o).__name__ == "CsoAlreadyAssigned" for o in refused)
    assert len(outcomes) - len(refused) >= 20
    assert len(app.locks) == 0


class CountingStore(EventStore):
    """Counts snapshot loads, which only a cold load makes."""

    snapshot_loads = 0

    async def latest_snapshot(self, *args: Any, **kwargs: Any) -> Any:
        self.snapshot_loads += 1
        return await super().latest_snapshot(*args, **kwargs)


async def test_a_re_run_after_another_process_wrote_fast_forwards_the_cached_aggregate(
    app: Application,
) -> None:
    project_id, _ = await project_with_cso(app)
    store = CountingStore(app.store.pool)
    counted = Application(Repository(store, app.repository.codec), store, _today)
    await record_service(counted, project_id)  # warms the cache
    store.snapshot_loads = 0
    attempts = 0

    async def attempt(uow: UnitOfWork) -> dict[str, uuid.UUID]:
        nonlocal attempts
        attempts += 1
        project = await uow.get(project_id, Project)
        if attempts == 1:
            await record_service(app, project_id)  # another process gets there first
        project.record_service(ServiceKind.VISIT, "走访", TODAY, uow.today)
        return {"project": project_id}

    await counted.execute(command(), attempt)
    assert attempts == 2
    assert store.snapshot_loads == 0  # the re-run reused the cached aggregate


def _today() -> date:
    return TODAY


@pytest.mark.parametrize("pinned", [False, True])
async def test_a_pinned_version_checked_once_the_lock_is_taken_sees_the_queued_writes(
    app: Application, pinned: bool
) -> None:
    project_id, _ = await project_with_cso(app)
    version = await project_version(app, project_id)
    first = asyncio.ensure_future(record_service(app, project_id, 1))
    second = record_service(app, project_id, 2, expected_version=version + 1 if pinned else None)
    await asyncio.gather(first, second)
    assert await project_version(app, project_id) == version + 2
