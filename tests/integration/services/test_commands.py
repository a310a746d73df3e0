"""What every command shares: idempotency keys bound to one request, commands that change
nothing, and the envelope's own values (reason, key)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest

from cso.domain.enums import OfficerRole, PartyOrganizationKind, RequestCategory, ServiceKind
from cso.domain.errors import InvalidValue
from cso.domain.project import Project
from cso.eventstore import Checkpoint
from cso.services import enterprises, officers, projects, requests
from cso.services.application import Application, UnitOfWork
from cso.services.errors import InvalidInput
from tests.integration.services.conftest import (
    TODAY,
    another_process,
    command,
    new_enterprise,
    new_officer,
    new_project,
    officer_principal,
    project_with_cso,
)


async def _count(pool: asyncpg.Pool[Any], stream_id: uuid.UUID) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM events WHERE stream_id = $1", stream_id)
    return count


async def _last_checkpoint(app: Application, stream_id: uuid.UUID) -> Checkpoint:
    return (await app.store.read_stream(stream_id))[-1].checkpoint


# -- idempotency keys belong to one request --------------------------------------------


async def test_a_key_used_for_another_mutation_is_invalid_input_on_the_key(
    app: Application,
) -> None:
    project_id = await new_project(app)
    await projects.set_service_plan(
        app,
        command(idempotency_key="same", operation="setServicePlan:aaa"),
        project_id=project_id,
        items=["代办报建手续"],
    )
    with pytest.raises(InvalidInput, match="different request") as refused:
        await requests.raise_request(
            app,
            command(idempotency_key="same", operation="raiseRequest:bbb"),
            project_id=project_id,
            category=RequestCategory.PERMIT,
            description="施工许可证办理",
        )
    assert refused.value.field == "idempotencyKey"
    assert refused.value.extensions == {"field": "idempotencyKey"}


async def test_a_key_reused_on_another_object_is_refused_not_answered_with_the_first(
    app: Application, pool: asyncpg.Pool[Any]
) -> None:
    first, second = await new_project(app), await new_project(app)
    plan = {"items": ["代办报建手续"]}
    await projects.set_service_plan(
        app, command(idempotency_key="k", operation=f"p:{first}"), project_id=first, **plan
    )
    with pytest.raises(InvalidInput):
        await projects.set_service_plan(
            app, command(idempotency_key="k", operation=f"p:{second}"), project_id=second, **plan
        )
    assert await _count(pool, second) == 1


async def test_a_retry_of_the_same_request_still_gets_the_first_result(app: Application) -> None:
    project_id, _ = await project_with_cso(app)
    cmd: dict[str, Any] = {"idempotency_key": "raise-1", "operation": "raiseRequest:ccc"}
    fields: dict[str, Any] = {
        "project_id": project_id,
        "category": RequestCategory.LAND,
        "description": "用地指标",
    }
    first = await requests.raise_request(app, command(**cmd), **fields)
    again = await requests.raise_request(app, command(**cmd), **fields)
    assert again.replayed and again.ids == first.ids and again.token == first.token


async def test_a_key_taken_by_another_request_during_the_command_is_refused_at_the_append(
    app: Application, pool: asyncpg.Pool[Any]
) -> None:
    project_id, _ = await project_with_cso(app)
    before = await _count(pool, project_id)

    async def attempt(uow: UnitOfWork) -> dict[str, uuid.UUID]:
        project = await uow.get(project_id, Project)
        project.raise_request(RequestCategory.POLICY, "政策咨询", uow.today)
        # Another request with the same key commits first, in another process.
        await projects.record_service(
            another_process(app),
            command(idempotency_key="race", operation="recordService:ddd"),
            project_id=project_id,
            kind=ServiceKind.VISIT,
            summary="走访",
            occurred_on=TODAY,
        )
        return {"project": project.id}

    with pytest.raises(InvalidInput, match="different request"):
        await app.execute(command(idempotency_key="race", operation="raiseRequest:eee"), attempt)
    assert await _count(pool, project_id) == before + 1  # only the other request's event


# -- commands that change nothing -----------------------------------------------------


async def test_giving_an_officer_their_current_roles_appends_nothing_and_answers_a_token(
    app: Application, pool: asyncpg.Pool[Any]
) -> None:
    officer_id = await new_officer(app, [OfficerRole.CSO])
    before = await _count(pool, officer_id)
    changed = await officers.change_officer_roles(
        app, command(idempotency_key="noop"), officer_id=officer_id, roles=[OfficerRole.CSO]
    )
    assert changed["officer"] == officer_id
    assert not changed.replayed
    assert Checkpoint.from_token(changed.token) == await _last_checkpoint(app, officer_id)
    assert await _count(pool, officer_id) == before


async def test_setting_the_same_service_plan_again_appends_nothing(
    app: Application, pool: asyncpg.Pool[Any]
) -> None:
    project_id = await new_project(app)
    items = ["代办报建手续", "政策辅导"]
    await projects.set_service_plan(app, command(), project_id=project_id, items=items)
    before = await _count(pool, project_id)
    changed = await projects.set_service_plan(app, command(), project_id=project_id, items=items)
    assert changed["project"] == project_id
    assert Checkpoint.from_token(changed.token) == await _last_checkpoint(app, project_id)
    assert await _count(pool, project_id) == before


async def test_recording_the_same_party_organisation_again_appends_nothing(
    app: Application, pool: asyncpg.Pool[Any]
) -> None:
    enterprise_id = await new_enterprise(app, name="广州示例制造有限公司", park=None)
    facts: dict[str, Any] = {"kind": PartyOrganizationKind.BRANCH, "member_count": 5}
    await enterprises.record_party_organization(
        app, command(), enterprise_id=enterprise_id, **facts
    )
    before = await _count(pool, enterprise_id)
    changed = await enterprises.record_party_organization(
        app, command(), enterprise_id=enterprise_id, **facts
    )
    assert Checkpoint.from_token(changed.token) == await _last_checkpoint(app, enterprise_id)
    assert await _count(pool, enterprise_id) == before


async def test_the_token_of_a_command_that_changed_nothing_covers_every_aggregate_it_read(
    app: Application,
) -> None:
    project_id, cso_id = await project_with_cso(app)
    await projects.set_service_plan(app, command(), project_id=project_id, items=["代办"])
    await officers.change_officer_roles(
        app, command(), officer_id=cso_id, roles=[OfficerRole.CSO, OfficerRole.CASO]
    )  # the officer's last event is now later than the project's
    changed = await projects.set_service_plan(
        app, command(officer_principal(cso_id)), project_id=project_id, items=["代办"]
    )
    latest = max(await _last_checkpoint(app, project_id), await _last_checkpoint(app, cso_id))
    assert Checkpoint.from_token(changed.token) == latest


# -- the envelope's own values ---------------------------------------------------------


@pytest.mark.parametrize("reason", ["原因\x00", "A\ud800", "x" * 4001])
def test_a_reason_that_cannot_be_stored_is_invalid_input_on_reason(reason: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        command(reason=reason)
    assert refused.value.field == "reason"


def test_a_reason_of_4000_characters_is_accepted() -> None:
    assert command(reason="理" * 4000).reason == "理" * 4000


@pytest.mark.parametrize("key", ["k" * 201, "key\x00", "\udc80"])
def test_an_idempotency_key_over_200_characters_or_unstorable_is_invalid_input(key: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        command(idempotency_key=key)
    assert refused.value.field == "idempotencyKey"


async def test_an_idempotency_key_of_200_characters_is_accepted(app: Application) -> None:
    officer_id = await new_officer(app)
    changed = await officers.change_officer_roles(
        app, command(idempotency_key="k" * 200), officer_id=officer_id, roles=[OfficerRole.CASO]
    )
    assert changed["officer"] == officer_id
