from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from cso.domain.enums import ServiceKind
from cso.domain.project import Project
from cso.services import enterprises, projects
from cso.services.application import Application
from cso.services.errors import Conflict, Forbidden, NotFound, RuleViolated
from cso.services.identity import Principal, Role
from tests.integration.services.conftest import (
    TODAY,
    command,
    new_project,
    officer_principal,
    project_version,
    project_with_cso,
    record_service,
    recorded_services,
    unique_credit_code,
)


async def test_a_taken_credit_code_is_a_rule_violation_and_nothing_is_appended(
    app: Application, pool: asyncpg.Pool[Any]
) -> None:
    code = unique_credit_code()
    fields = dict(district="海珠区", park=None, sme=False, chain_id=None, credit_code=code)
    await enterprises.register_enterprise(app, command(), name="甲公司", **fields)
    before = await pool.fetchval("SELECT count(*) FROM events")
    with pytest.raises(RuleViolated, match="credit code"):
        await enterprises.register_enterprise(app, command(), name="乙公司", **fields)
    assert await pool.fetchval("SELECT count(*) FROM events") == before


async def test_a_stale_expected_version_answers_conflict_with_the_current_version(
    app: Application,
) -> None:
    project_id, _ = await project_with_cso(app)
    await record_service(app, project_id)
    current = await project_version(app, project_id)
    with pytest.raises(Conflict) as conflict:
        await record_service(app, project_id, expected_version=current - 1)
    assert conflict.value.extensions["currentVersion"] == current


async def test_the_right_expected_version_is_accepted(app: Application) -> None:
    project_id, _ = await project_with_cso(app)
    current = await project_version(app, project_id)
    changed = await record_service(app, project_id, expected_version=current)
    assert await project_version(app, project_id) == current + 1
    assert changed.token


async def test_concurrent_commands_without_expected_version_are_retried_until_all_land(
    app: Application,
) -> None:
    project_id, _ = await project_with_cso(app)
    start = await project_version(app, project_id)
    await asyncio.gather(*(record_service(app, project_id) for _ in range(8)))
    project = await app.repository.get(project_id, Project)
    assert project.version == start + 8
    assert project.service_count == 8


async def test_32_concurrent_commands_each_succeed_or_conflict_and_every_success_is_in_history(
    app: Application,
) -> None:
    project_id, _ = await project_with_cso(app)
    version = await project_version(app, project_id)
    outcomes = await asyncio.gather(
        *(
            record_service(app, project_id, expected_version=version if n % 2 else None)
            for n in range(32)
        ),
        return_exceptions=True,
    )
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, Conflict)]
    assert unexpected == []
    successes = [o for o in outcomes if not isinstance(o, Exception)]
    assert {changed["service"] for changed in successes} == await recorded_services(app, project_id)


async def test_an_idempotent_retry_returns_the_first_result_and_appends_nothing(
    app: Application, pool: asyncpg.Pool[Any]
) -> None:
    project_id, _ = await project_with_cso(app)
    first = await record_service(app, project_id, idempotency_key="visit-1")
    count = await pool.fetchval("SELECT count(*) FROM events WHERE stream_id = $1", project_id)
    again = await record_service(app, project_id, idempotency_key="visit-1")
    assert again.replayed and not first.replayed
    assert (again.token, again.ids) == (first.token, first.ids)
    assert (
        await pool.fetchval("SELECT count(*) FROM events WHERE stream_id = $1", project_id) == count
    )


async def test_every_event_carries_actor_correlation_reason_and_key(app: Application) -> None:
    project_id, _ = await project_with_cso(app)
    cmd = command(reason="例行走访", idempotency_key="k-42")
    await projects.record_service(
        app, cmd, project_id=project_id, kind=ServiceKind.VISIT, summary="走访", occurred_on=TODAY
    )
    last = (await app.store.read_stream(project_id))[-1]
    assert last.metadata["actor"] == {
        "id": cmd.principal.id,
        "role": "supervisor",
        "name": "Supervisor",
    }
    assert last.metadata["correlation_id"] == cmd.correlation_id
    assert last.metadata["reason"] == "例行走访"
    assert last.metadata["idempotency_key"] == cmd.scoped_key


async def test_an_officer_acts_only_on_projects_whose_cso_they_are(app: Application) -> None:
    project_id, cso_id = await project_with_cso(app)
    other_project, _ = await project_with_cso(app)

    async def tutor(project: uuid.UUID) -> None:
        await projects.record_service(
            app,
            command(officer_principal(cso_id)),
            project_id=project,
            kind=ServiceKind.TUTORING,
            summary="政策辅导",
            occurred_on=TODAY,
        )

    await tutor(project_id)
    with pytest.raises(Forbidden):
        await tutor(other_project)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AUDITOR])
async def test_viewers_and_auditors_make_no_changes(app: Application, role: Role) -> None:
    project_id = await new_project(app)
    reader = Principal(id=str(uuid.uuid4()), role=role, name="Reader", dept="")
    with pytest.raises(Forbidden):
        await record_service(app, project_id, principal=reader)


async def test_an_unknown_project_is_not_found(app: Application) -> None:
    with pytest.raises(NotFound):
        await record_service(app, uuid.uuid4())


async def test_an_application_with_a_clock_stamps_its_events_and_leaves_the_servers_alone(
    app: Application, pool: asyncpg.Pool[Any]
) -> None:
    long_ago = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
    seeding = Application(app.repository, app.store, lambda: TODAY, clock=lambda: long_ago)
    fields = dict(district="海珠区", park=None, sme=False, chain_id=None)
    seeded = await enterprises.register_enterprise(
        seeding, command(), name="甲公司", credit_code=unique_credit_code(), **fields
    )
    live = await enterprises.register_enterprise(
        app, command(), name="乙公司", credit_code=unique_credit_code(), **fields
    )

    rows = await pool.fetch(
        "SELECT stream_id, recorded_at, metadata->>'clock' AS clock FROM events"
        " WHERE stream_id = any($1::uuid[])",
        [seeded["enterprise"], live["enterprise"]],
    )
    by_stream = {row["stream_id"]: row for row in rows}
    assert by_stream[seeded["enterprise"]]["recorded_at"] == long_ago
    assert by_stream[seeded["enterprise"]]["clock"] == "simulated"
    assert by_stream[live["enterprise"]]["recorded_at"] > long_ago
    assert by_stream[live["enterprise"]]["clock"] is None
