"""A project's row written once per batch (project_rows) ends as it does one event at a time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cso.domain.enums import Milestone, ProjectOutcome, RequestCategory, ServiceKind
from cso.projections.batch import merge
from cso.projections.project_rows import ROW, RowChange
from cso.projections.projects import PROJECTION
from tests.integration.projections.conftest import Isolated
from tests.integration.projections.factories import new_enterprise, new_officer, new_project
from tests.integration.projections.one_batch import replay_in_one_batch, tables
from tests.request_desk import RequestDesk

TODAY = date(2024, 6, 1)
SELECT_ROW = "SELECT * FROM rm_projects WHERE id = $1"


async def test_a_project_s_history_applied_in_one_batch_leaves_the_rows_one_event_at_a_time_did(
    isolated: Isolated,
) -> None:
    first, second = new_officer("李明"), new_officer("王芳")
    enterprise = new_enterprise()
    desk = RequestDesk(new_project(enterprise))
    project = desk.project
    await isolated.save_and_project(first, second, enterprise, project)
    project.assign_cso(first, today=TODAY)
    await isolated.save_and_project(project, first)
    project.set_service_plan(["代办审批", "政策辅导"])
    await isolated.save_and_project(project)
    project.complete_service_item("代办审批")
    await isolated.save_and_project(project)
    project.record_service(ServiceKind.VISIT, "走访", date(2024, 4, 18), TODAY)
    await isolated.save_and_project(project)
    project.record_service(ServiceKind.CONSULTATION, "补记的咨询", date(2024, 2, 1), TODAY)
    await isolated.save_and_project(project)
    permit = desk.raise_request(RequestCategory.PERMIT, "施工许可加急", date(2024, 6, 3))
    land = desk.raise_request(RequestCategory.LAND, "红线调整", date(2024, 6, 1))
    await isolated.save_and_project(*desk.all_aggregates())
    desk.refer_request(permit, ["区住建局"])
    desk.resolve_request(permit, "许可证已核发", date(2024, 6, 6))
    await isolated.save_and_project(*desk.all_aggregates())
    for milestone in (
        Milestone.SITE_SELECTED,
        Milestone.LAND_DELIVERED,
        Milestone.CONSTRUCTION_STARTED,
    ):
        project.reach_milestone(milestone, date(2024, 5, milestone.rank), TODAY)
        await isolated.save_and_project(project)
    project.assign_cso(second, today=TODAY, reason="工作调整", previous=first)
    await isolated.save_and_project(project, first, second)
    desk.close(ProjectOutcome.CANCELLED, reason="企业战略调整", cso=second)
    await isolated.save_and_project(*desk.all_aggregates(), second)
    one_at_a_time = await tables(isolated, PROJECTION)
    row = one_at_a_time["rm_projects"][0]
    assert (row["service_count"], row["latest_service_on"]) == (2, date(2024, 4, 18))
    assert (row["cso_id"], row["cso_terms"], row["stage"]) == (second.id, 2, "CLOSED")
    assert (row["open_requests"], row["construction_started_on"]) == (0, date(2024, 5, 3))
    assert land in {r["id"] for r in one_at_a_time["rm_requests"]}

    await replay_in_one_batch(isolated, PROJECTION)

    assert await tables(isolated, PROJECTION) == one_at_a_time


async def test_a_batch_s_change_to_a_row_already_past_its_first_event_is_not_applied_again(
    isolated: Isolated,
) -> None:
    officer, enterprise = new_officer(), new_enterprise()
    project = new_project(enterprise)
    project.assign_cso(officer, today=TODAY)
    project.record_service(ServiceKind.VISIT, "走访", date(2024, 4, 18), TODAY)
    await isolated.save_and_project(officer, enterprise, project)
    before = await isolated.pool.fetchrow(SELECT_ROW, project.id)
    assert before is not None and before["version"] == 3
    again = RowChange(3, 3, datetime.now(UTC), services=1, latest_service_on=date(2024, 5, 1))

    async with isolated.pool.acquire() as conn:
        await merge(conn, ROW, project.id, again)

    assert await isolated.pool.fetchrow(SELECT_ROW, project.id) == before
