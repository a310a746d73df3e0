"""Who resolves a request: the project's CSO, or an officer of a department it is referred to."""

from __future__ import annotations

import uuid

import pytest

from cso.domain.enterprise_request import EnterpriseRequest
from cso.domain.enums import RequestCategory
from cso.services import officers, requests
from cso.services.application import Application
from cso.services.errors import Forbidden, InvalidInput
from cso.services.identity import Principal, Role
from tests.integration.services.conftest import command, new_officer, project_with_cso

PLANNING = "区规划和自然资源局"


async def officer_of(app: Application, dept: str, role: Role = Role.OFFICER) -> Principal:
    """A registered, active officer whose token carries `dept`."""
    return Principal(id=str(await new_officer(app)), role=role, name="Handler", dept=dept)


def stranger_of(dept: str) -> Principal:
    """A token with an officer's role and `dept` claim, naming no registered officer."""
    return Principal(id=str(uuid.uuid4()), role=Role.OFFICER, name="Stranger", dept=dept)


async def _referred_request(app: Application) -> tuple[uuid.UUID, uuid.UUID]:
    project_id, _ = await project_with_cso(app)
    raised = await requests.raise_request(
        app, command(), project_id=project_id, category=RequestCategory.LAND, description="用地"
    )
    await requests.refer_request(
        app,
        command(),
        project_id=project_id,
        request_id=raised["request"],
        departments=[PLANNING, "区住房和建设局"],
    )
    return project_id, raised["request"]


async def test_an_officer_of_a_referred_department_resolves_the_request(app: Application) -> None:
    project_id, request_id = await _referred_request(app)
    await requests.resolve_request(
        app,
        command(await officer_of(app, PLANNING)),
        project_id=project_id,
        request_id=request_id,
        resolution="已协调完成用地报批",
    )
    assert (await app.repository.get(request_id, EnterpriseRequest)).resolution


@pytest.mark.parametrize(
    ("dept", "role"), [("区科技局", Role.OFFICER), (PLANNING, Role.VIEWER), ("", Role.OFFICER)]
)
async def test_an_officer_of_another_department_or_a_viewer_may_not_resolve_it(
    app: Application, dept: str, role: Role
) -> None:
    project_id, request_id = await _referred_request(app)
    principal = await officer_of(app, dept, role)
    with pytest.raises(Forbidden):
        await requests.resolve_request(
            app, command(principal), project_id=project_id, request_id=request_id, resolution="x"
        )


async def test_an_unknown_request_is_forbidden_to_outsiders_and_unknown_to_the_cso_side(
    app: Application,
) -> None:
    project_id, _ = await _referred_request(app)
    with pytest.raises(Forbidden):
        await requests.resolve_request(
            app,
            command(await officer_of(app, PLANNING)),
            project_id=project_id,
            request_id=uuid.uuid4(),
            resolution="x",
        )
    with pytest.raises(InvalidInput):
        await requests.resolve_request(
            app, command(), project_id=project_id, request_id=uuid.uuid4(), resolution="x"
        )


async def test_a_department_claim_grants_nothing_to_a_stranger_or_a_deactivated_officer(
    app: Application,
) -> None:
    project_id, request_id = await _referred_request(app)
    deactivated = await officer_of(app, PLANNING)
    assert deactivated.officer_id is not None
    await officers.deactivate_officer(app, command(), officer_id=deactivated.officer_id)
    for principal in (stranger_of(PLANNING), deactivated):
        with pytest.raises(Forbidden, match="active registered officer"):
            await requests.resolve_request(
                app,
                command(principal),
                project_id=project_id,
                request_id=request_id,
                resolution="x",
            )
