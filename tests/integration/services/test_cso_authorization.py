"""An officer acts as CSO only while they can serve as one; assigning them is atomic with
their deactivation and role changes."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from eventsourcing.domain import Aggregate

from cso.domain.enums import OfficerRole, ServiceKind
from cso.domain.officer import Officer, OfficerCannotServe, RoleInUse
from cso.domain.project import Project
from cso.eventstore import Codec, EventStore, Repository
from cso.services import officers, projects
from cso.services.application import Application, Changed
from cso.services.errors import Conflict, Forbidden
from cso.services.identity import Principal, Role
from tests.integration.services.conftest import (
    TODAY,
    command,
    new_officer,
    new_project,
    officer_principal,
    project_with_cso,
)

A = TypeVar("A", bound=Aggregate)
Between = Callable[[], Awaitable[Any]]


class InterleavingRepository(Repository):
    """Runs `between` once, right after the first load of an aggregate of kind `pause_on`:
    another command then commits while this one holds what it read."""

    def __init__(self, store: EventStore, codec: Codec, pause_on: type, between: Between) -> None:
        super().__init__(store, codec)
        self.pause_on = pause_on
        self.between: Between | None = between

    async def get(self, aggregate_id: uuid.UUID, kind: type[A], **kwargs: Any) -> A:
        aggregate = await super().get(aggregate_id, kind, **kwargs)
        if kind is self.pause_on and self.between is not None:
            between, self.between = self.between, None
            await between()
        return aggregate


def interleaving(app: Application, pause_on: type, between: Between) -> Application:
    """An application on the same store that lets `between` commit in the middle of a command."""
    repository = InterleavingRepository(app.store, app.repository.codec, pause_on, between)
    return Application(repository, app.store, lambda: TODAY)


async def _record_as(app: Application, principal: Principal, project_id: uuid.UUID) -> Changed:
    return await projects.record_service(
        app,
        command(principal),
        project_id=project_id,
        kind=ServiceKind.VISIT,
        summary="走访企业",
        occurred_on=TODAY,
    )


async def test_an_officer_whose_id_is_not_a_uuid_acts_on_no_project_without_a_cso(
    app: Application,
) -> None:
    project_id = await new_project(app)
    stranger = Principal(id="not-a-uuid", role=Role.OFFICER, name="Stranger", dept="")
    with pytest.raises(Forbidden):
        await projects.set_service_plan(
            app, command(stranger), project_id=project_id, items=["代办报建手续"]
        )
    assert (await app.repository.get(project_id, Project)).service_plan == []


async def test_the_cso_of_an_open_project_can_be_neither_deactivated_nor_stripped_of_the_role(
    app: Application,
) -> None:
    project_id, cso_id = await project_with_cso(app)
    with pytest.raises(RoleInUse, match=str(project_id)):
        await officers.deactivate_officer(app, command(), officer_id=cso_id)
    with pytest.raises(RoleInUse, match="CSO role can be removed"):
        await officers.change_officer_roles(
            app, command(), officer_id=cso_id, roles=[OfficerRole.CASO]
        )
    await _record_as(app, officer_principal(cso_id), project_id)


async def test_a_cso_who_can_serve_still_acts_on_their_project(app: Application) -> None:
    project_id, cso_id = await project_with_cso(app)
    changed = await _record_as(app, officer_principal(cso_id), project_id)
    history = await app.store.read_stream(project_id)
    assert changed["service"].hex in {
        e.data["service_id"]["_data_"] for e in history if e.type.endswith("ServiceRecorded")
    }


async def test_the_assignment_appends_to_the_project_and_the_officer_in_one_transaction(
    app: Application,
) -> None:
    project_id, officer_id = await project_with_cso(app)
    [*_, on_project] = await app.store.read_stream(project_id)
    [*_, on_officer] = await app.store.read_stream(officer_id)
    assert on_project.type.endswith("Project.CsoAssigned")
    assert on_officer.type.endswith("Officer.AssignedAsCso")
    assert on_officer.data["project_id"]["_data_"] == project_id.hex
    assert on_officer.transaction_id == on_project.transaction_id


def _deactivate(app: Application, officer_id: uuid.UUID) -> Between:
    return lambda: officers.deactivate_officer(app, command(), officer_id=officer_id)


def _take_cso_role(app: Application, officer_id: uuid.UUID) -> Between:
    return lambda: officers.change_officer_roles(
        app, command(), officer_id=officer_id, roles=[OfficerRole.CASO]
    )


@pytest.mark.parametrize(
    ("concurrent", "refusal"),
    [(_deactivate, "is not active"), (_take_cso_role, "does not hold the CSO role")],
)
async def test_an_officer_changed_while_being_assigned_is_refused_on_the_re_run(
    app: Application,
    concurrent: Callable[[Application, uuid.UUID], Between],
    refusal: str,
) -> None:
    project_id = await new_project(app)
    officer_id = await new_officer(app)
    racing = interleaving(app, Officer, concurrent(app, officer_id))
    with pytest.raises(OfficerCannotServe, match=refusal):
        await projects.assign_cso(racing, command(), project_id=project_id, officer_id=officer_id)
    assert (await app.repository.get(project_id, Project)).cso_id is None


async def test_a_deactivation_racing_an_assignment_is_re_run_after_it_and_refused(
    app: Application,
) -> None:
    project_id = await new_project(app)
    officer_id = await new_officer(app)

    async def assign() -> None:
        await projects.assign_cso(app, command(), project_id=project_id, officer_id=officer_id)

    racing = interleaving(app, Officer, assign)
    with pytest.raises(RoleInUse, match=str(project_id)):
        await officers.deactivate_officer(racing, command(), officer_id=officer_id)
    history = [event.type.rsplit(".", 1)[-1] for event in await app.store.read_stream(officer_id)]
    assert history == ["Registered", "AssignedAsCso"]


async def test_an_officer_who_may_not_act_learns_forbidden_not_the_projects_version(
    app: Application,
) -> None:
    project_id, _ = await project_with_cso(app)
    stranger = officer_principal(await new_officer(app))
    with pytest.raises(Forbidden):
        await projects.record_service(
            app,
            command(stranger, expected_version=1),
            project_id=project_id,
            kind=ServiceKind.VISIT,
            summary="走访企业",
            occurred_on=TODAY,
        )


async def test_a_stale_expected_version_is_a_conflict_even_where_a_rule_would_refuse(
    app: Application,
) -> None:
    project_id = await new_project(app)  # no CSO: recording a service breaks a rule
    with pytest.raises(Conflict) as conflict:
        await projects.record_service(
            app,
            command(expected_version=7),
            project_id=project_id,
            kind=ServiceKind.VISIT,
            summary="走访企业",
            occurred_on=TODAY,
        )
    assert conflict.value.current_version == 1
