"""An officer who holds a case keeps what serving in it needs, also under real races."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from cso.domain.enums import OfficerRole
from cso.domain.errors import RuleViolation
from cso.domain.officer import Officer
from cso.domain.project import Project
from cso.services import officers, projects
from cso.services.application import Application, Changed
from tests.integration.services.conftest import (
    another_process,
    command,
    new_officer,
    new_project,
)

ROUNDS = 24

Takeaway = Callable[[Application, uuid.UUID], Awaitable[Changed]]


def _deactivate(app: Application, officer_id: uuid.UUID) -> Awaitable[Changed]:
    return officers.deactivate_officer(app, command(), officer_id=officer_id)


def _strip_roles(app: Application, officer_id: uuid.UUID) -> Awaitable[Changed]:
    return officers.change_officer_roles(app, command(), officer_id=officer_id, roles=[])


async def _race(
    assigning: Application, taking: Application, takeaway: Takeaway
) -> tuple[Any, Any, uuid.UUID, uuid.UUID]:
    project_id = await new_project(assigning)
    officer_id = await new_officer(assigning)
    assign = projects.assign_cso(assigning, command(), project_id=project_id, officer_id=officer_id)
    assigned, taken = await asyncio.gather(
        _after_a_moment(assign),
        _after_a_moment(takeaway(taking, officer_id)),
        return_exceptions=True,
    )
    return assigned, taken, project_id, officer_id


async def _after_a_moment(command: Awaitable[Changed]) -> Changed:
    """Either command may start first."""
    await asyncio.sleep(random.uniform(0, 0.005))
    return await command


@pytest.mark.parametrize("takeaway", [_deactivate, _strip_roles])
@pytest.mark.parametrize("processes", ["one process", "two processes"])
async def test_an_assignment_racing_a_deactivation_or_role_removal_lets_exactly_one_through(
    app: Application, takeaway: Takeaway, processes: str
) -> None:
    other = app if processes == "one process" else another_process(app)
    outcomes = await asyncio.gather(*(_race(app, other, takeaway) for _ in range(ROUNDS)))
    seen = set()
    for assigned, taken, project_id, officer_id in outcomes:
        unexpected = [
            o
            for o in (assigned, taken)
            if isinstance(o, Exception) and not isinstance(o, RuleViolation)
        ]
        assert unexpected == []
        assert isinstance(assigned, Exception) != isinstance(taken, Exception)  # never both
        project = await app.repository.get(project_id, Project)
        officer = await app.repository.get(officer_id, Officer)
        if isinstance(taken, RuleViolation):
            assert str(project_id) in str(taken)  # the refusal names the project
            assert project.cso_id == officer_id and officer.can_serve_as(OfficerRole.CSO)
            assert officer.cso_project_ids == [project_id]
            seen.add("assigned")
        else:
            assert project.cso_id is None and officer.cso_project_ids == []
            assert not officer.can_serve_as(OfficerRole.CSO)
            seen.add("taken away")
    print(f"{processes}, {takeaway.__name__}: outcomes seen {sorted(seen)}")


async def test_after_reassignment_the_former_cso_can_be_stripped_of_the_role_and_deactivated(
    app: Application,
) -> None:
    project_id = await new_project(app)
    first, second = await new_officer(app), await new_officer(app)
    await projects.assign_cso(app, command(), project_id=project_id, officer_id=first)
    await projects.assign_cso(app, command(reason="轮岗"), project_id=project_id, officer_id=second)
    await officers.change_officer_roles(app, command(), officer_id=first, roles=[])
    await officers.deactivate_officer(app, command(), officer_id=first)
    assert not (await app.repository.get(first, Officer)).active
    with pytest.raises(RuleViolation, match=str(project_id)):
        await officers.deactivate_officer(app, command(), officer_id=second)
