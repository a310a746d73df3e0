from __future__ import annotations

from datetime import date

from cso.domain.enums import ProjectOutcome, RequestCategory
from tests.integration.projections.factories import new_enterprise, new_project
from tests.integration.projections.world import World
from tests.request_desk import RequestDesk

SELECT_PROJECT = "SELECT open_requests, overdue_from, version FROM rm_projects WHERE id = $1"
SELECT_REQUESTS = "SELECT * FROM rm_requests WHERE project_id = $1 ORDER BY seq"


async def test_requests_keep_the_projects_open_count_and_overdue_date_in_step(
    world: World,
) -> None:
    enterprise = new_enterprise()
    project = RequestDesk(new_project(enterprise))
    await world.save(enterprise, project.project)
    permit = project.raise_request(RequestCategory.PERMIT, "施工许可加急", date(2024, 6, 3))
    land = project.raise_request(RequestCategory.LAND, "红线调整", date(2024, 6, 1))
    await world.save(*project.all_aggregates())
    # Working days, weekends only (no calendar given): PERMIT due Mon 10, LAND Fri 14 June.
    # The project kept both ids (RequestOpened, versions 2 and 3).
    assert tuple(await world.row(SELECT_PROJECT, project.id)) == (2, date(2024, 6, 11), 3)

    project.refer_request(permit, ["区住建局", "区规划和自然资源局"])
    project.resolve_request(permit, "已联合办理，许可证已核发", date(2024, 6, 6))
    await world.save(*project.all_aggregates())
    assert tuple(await world.row(SELECT_PROJECT, project.id)) == (1, date(2024, 6, 15), 4)

    project.rate_request(permit, 5, date(2024, 6, 7))
    project.resolve_request(land, "红线已调整", date(2024, 6, 12))
    await world.save(*project.all_aggregates())
    assert tuple(await world.row(SELECT_PROJECT, project.id)) == (0, None, 5)

    requests = await world.pool.fetch(SELECT_REQUESTS, project.id)
    events = await world.events(permit)
    first, second = requests
    assert first["id"] == permit
    assert first["category"] == "PERMIT"
    assert first["description"] == "施工许可加急"
    assert first["status"] == "RESOLVED"
    assert first["departments"] == ["区住建局", "区规划和自然资源局"]
    assert (first["raised_on"], first["due_on"]) == (date(2024, 6, 3), date(2024, 6, 10))
    assert first["calendar_source"] == "WEEKENDS_ONLY"
    assert first["calendar_version"] == "2024:WEEKENDS_ONLY:"
    assert (first["overdue_from"], first["joint"]) == (None, True)
    assert (first["resolution"], first["resolved_on"]) == (
        "已联合办理，许可证已核发",
        date(2024, 6, 6),
    )
    assert first["satisfaction"] == 5
    assert (first["open"], first["enterprise_id"], first["source"]) == (
        False,
        enterprise.id,
        "PROJECT",
    )
    assert first["version"] == 4  # Raised, Referred, Resolved, Rated: the request's own stream
    assert first["created_at"] == events[0].recorded_at
    assert first["updated_at"] == events[3].recorded_at
    assert (second["id"], second["status"], second["satisfaction"]) == (land, "RESOLVED", None)
    assert second["departments"] == []


async def test_a_referred_request_is_still_open_and_a_cancelled_project_keeps_it(
    world: World,
) -> None:
    enterprise = new_enterprise()
    project = RequestDesk(new_project(enterprise))
    request = project.raise_request(RequestCategory.FINANCING, "贷款贴息", date(2024, 6, 1))
    project.refer_request(request, ["区金融局"])
    await world.save(enterprise, *project.all_aggregates())
    project.close(ProjectOutcome.CANCELLED, reason="企业战略调整")
    await world.save(project.project)

    row = await world.row("SELECT * FROM rm_projects WHERE id = $1", project.id)
    [only] = await world.pool.fetch(SELECT_REQUESTS, project.id)
    assert only["status"] == "REFERRED"
    assert (row["stage"], row["outcome"]) == ("CLOSED", "CANCELLED")
    # Ten working days after Saturday 1 June (weekends only) is Friday 14 June.
    assert (row["open_requests"], row["overdue_from"]) == (1, date(2024, 6, 15))
    assert (only["overdue_from"], only["joint"]) == (date(2024, 6, 15), False)
