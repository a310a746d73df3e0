"""The requests read model across a carry-over: an older database's request keeps its row
(returns, extensions and all), now versioned by its own stream."""

from __future__ import annotations

from datetime import date

from tests.integration.projections.factories import project_with_legacy_request
from tests.integration.projections.world import World

SELECT_REQUEST = "SELECT * FROM rm_requests WHERE id = $1"
SELECT_PROJECT = "SELECT open_requests, overdue_from FROM rm_projects WHERE id = $1"


async def test_a_carried_over_request_keeps_its_row_and_moves_on_its_own_stream(
    world: World,
) -> None:
    enterprise, project, old = project_with_legacy_request()
    project._refer_request(request_id=old, departments=["区规划和自然资源局"])
    project._return_request(request_id=old, department="区规划和自然资源局", reason="非本局")
    await world.save(enterprise, project)
    before = await world.row(SELECT_REQUEST, old)
    assert (before["status"], before["open"], before["own_stream"]) == ("OPEN", True, False)
    assert before["enterprise_id"] == enterprise.id

    request = project.carry_over_request(old)
    await world.save(request, project)
    after = await world.row(SELECT_REQUEST, old)
    assert (after["status"], after["version"], after["own_stream"]) == ("OPEN", 2, True)
    assert after["returns"] == before["returns"] != "[]"
    assert tuple(await world.row(SELECT_PROJECT, project.id)) == (1, date(2024, 6, 18))

    request.refer(["区住建局"])
    request.resolve("已办结", date(2024, 6, 10), project)
    await world.save(request, project)
    done = await world.row(SELECT_REQUEST, old)
    assert (done["status"], done["departments"], done["version"]) == ("RESOLVED", ["区住建局"], 4)
    assert (done["open"], done["overdue_from"], done["on_time"]) == (False, None, True)
    assert tuple(await world.row(SELECT_PROJECT, project.id)) == (0, None)
