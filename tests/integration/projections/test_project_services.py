from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from cso.domain.enums import ServiceKind
from cso.projections.project_queries import plans_at
from cso.projections.project_rows import ROW, UPDATE_PROJECT_ROW, RowChange
from cso.projections.project_services import RECORD_SERVICE
from tests.integration.projections.factories import new_enterprise, new_officer, new_project
from tests.integration.projections.world import World

TODAY = date(2024, 6, 1)

SELECT_TIMELINE = """
SELECT id, kind, summary, occurred_on, officer_id FROM rm_services
WHERE project_id = $1 ORDER BY occurred_on DESC, position DESC
"""
SELECT_PROJECT = "SELECT * FROM rm_projects WHERE id = $1"


async def test_a_replaced_service_plan_keeps_completion_of_the_items_that_remain(
    world: World,
) -> None:
    enterprise = new_enterprise()
    project = new_project(enterprise)
    project.set_service_plan(["全程代办", "选址协调", "政策辅导"])
    await world.save(enterprise, project)
    project.complete_service_item("选址协调")
    await world.save(project)
    project.set_service_plan(["政策辅导", "选址协调", "人才安居对接"])
    await world.save(project)

    [[now], [completed], [first]] = await plans_at(
        world.pool, [(project.id, 4), (project.id, 3), (project.id, 2)]
    )
    row = await world.row(SELECT_PROJECT, project.id)
    events = await world.events(project.id)
    assert (now["items"], now["completed_items"]) == (
        ["政策辅导", "选址协调", "人才安居对接"],
        ["选址协调"],
    )
    assert (completed["items"], completed["completed_items"]) == (
        ["全程代办", "选址协调", "政策辅导"],
        ["选址协调"],
    )
    assert first["completed_items"] == []
    assert row["version"] == 4
    assert row["updated_at"] == events[-1].recorded_at


async def test_an_item_dropped_from_the_plan_and_planned_again_starts_over(world: World) -> None:
    enterprise = new_enterprise()
    project = new_project(enterprise)
    project.set_service_plan(["全程代办", "选址协调"])
    project.complete_service_item("选址协调")
    project.set_service_plan(["全程代办"])
    project.set_service_plan(["全程代办", "选址协调"])
    await world.save(enterprise, project)

    [[plan]] = await plans_at(world.pool, [(project.id, project.version)])
    assert plan["completed_items"] == []
    assert [item.completed for item in project.service_plan] == [False, False]


async def test_the_service_timeline_counts_services_and_knows_the_latest(world: World) -> None:
    cso = new_officer()
    enterprise = new_enterprise()
    project = new_project(enterprise)
    project.assign_cso(cso, today=date(2024, 1, 5))
    await world.save(cso, enterprise, project)
    visit = project.record_service(
        ServiceKind.VISIT, "走访企业，了解用地需求", date(2024, 3, 2), TODAY
    )
    agency = project.record_service(
        ServiceKind.PROCEDURE_AGENCY, "代办施工许可", date(2024, 4, 18), TODAY
    )
    await world.save(project)
    tutoring = project.record_service(
        ServiceKind.TUTORING, "专题辅导：研发费用加计扣除", date(2024, 3, 20), TODAY
    )
    await world.save(project)

    timeline = await world.pool.fetch(SELECT_TIMELINE, project.id)
    row = await world.row(SELECT_PROJECT, project.id)
    assert [(s["id"], s["kind"]) for s in timeline] == [
        (agency, "PROCEDURE_AGENCY"),
        (tutoring, "TUTORING"),
        (visit, "VISIT"),
    ]
    assert {s["officer_id"] for s in timeline} == {cso.id}
    assert row["service_count"] == 3
    assert row["latest_service_on"] == date(2024, 4, 18)
    assert row["version"] == 5


async def test_recording_a_service_reads_none_of_the_projects_other_services(
    world: World,
) -> None:
    # The handler's two statements, as PostgreSQL would run them: the service's insert and
    # the project row's change (project_rows) each go by key, scanning no services, so a
    # project's thousandth service costs what its first did.
    project_id, at = uuid.uuid4(), datetime.now(UTC)
    insert = (
        *(project_id, 2, at),
        *(uuid.uuid4(), "VISIT", "走访", date(2024, 3, 2), uuid.uuid4(), 7),
    )
    service = RowChange(2, 2, at, services=1, latest_service_on=date(2024, 3, 2))
    texts = []
    # On a table of a few pages a sequential scan is cheapest, whichever rows it would read;
    # with it priced out, any scan the statements cannot avoid still shows in the plan.
    async with world.pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL enable_seqscan = off")
        for query, arguments in (
            (RECORD_SERVICE, insert),
            (UPDATE_PROJECT_ROW, ROW.arguments(project_id, service)),
        ):
            plan = await conn.fetch(f"EXPLAIN {query}", *arguments)
            texts.append("\n".join(row[0] for row in plan))
    assert "Insert on rm_services" in texts[0] and "Update on rm_projects" in texts[1], texts
    for text in texts:
        scans = [line for line in text.splitlines() if "Scan" in line and "Subquery" not in line]
        assert all("_pkey" in line for line in scans), text
    assert any("rm_projects_pkey" in line for line in texts[1].splitlines()), texts[1]


async def test_a_service_that_occurred_before_the_latest_leaves_the_latest_date_alone(
    world: World,
) -> None:
    cso = new_officer()
    enterprise = new_enterprise()
    project = new_project(enterprise)
    project.assign_cso(cso, today=date(2024, 1, 5))
    await world.save(cso, enterprise, project)
    project.record_service(ServiceKind.VISIT, "走访", date(2024, 4, 18), TODAY)
    await world.save(project)
    project.record_service(ServiceKind.CONSULTATION, "补记的咨询", date(2024, 2, 1), TODAY)
    await world.save(project)

    row = await world.row(SELECT_PROJECT, project.id)
    assert (row["service_count"], row["latest_service_on"]) == (2, date(2024, 4, 18))
