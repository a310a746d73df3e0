"""The dashboard's 有呼必应 figures against a hand-computed example."""

from __future__ import annotations

from datetime import date
from typing import Any

from cso.domain.enums import RequestCategory
from cso.projections.request_figures import DepartmentLoad, request_figures
from tests.integration.projections.conftest import Isolated
from tests.integration.projections.factories import new_enterprise, new_project
from tests.request_desk import RequestDesk

HOUSING, FIRE, PLANNING = "区住建局", "区消防救援大队", "区规划和自然资源局"


async def test_no_requests_means_no_rates_and_no_departments(isolated: Isolated) -> None:
    figures = await request_figures(isolated.pool, date(2024, 6, 20))
    assert figures.on_time_resolution_rate is None
    assert figures.average_satisfaction is None
    assert figures.requests_by_department == []


async def test_the_request_figures_on_a_known_data_set(isolated: Isolated) -> None:
    enterprise = new_enterprise()
    project = RequestDesk(new_project(enterprise))
    monday = date(2024, 6, 3)  # weekends only (no calendar given): PERMIT due 6-10, LAND 6-17

    def raised(category: RequestCategory, on: date, departments: list[str]) -> Any:
        request_id = project.raise_request(category, "诉求", on)
        if departments:
            project.refer_request(request_id, departments)
        return request_id

    on_time = raised(RequestCategory.PERMIT, monday, [HOUSING, FIRE])
    project.resolve_request(on_time, "已办结", date(2024, 6, 7))
    project.rate_request(on_time, 5, date(2024, 6, 7))
    late = raised(RequestCategory.PERMIT, monday, [HOUSING])
    project.resolve_request(late, "已办结", date(2024, 6, 12))  # due 6-10
    project.rate_request(late, 2, date(2024, 6, 13))  # a redo: OPEN again, due 6-20
    on_the_day = raised(RequestCategory.LAND, monday, [FIRE])
    project.resolve_request(on_the_day, "已办结", date(2024, 6, 17))  # due 6-17
    raised(RequestCategory.POLICY, date(2024, 6, 17), [HOUSING, PLANNING])  # due 6-24
    raised(RequestCategory.OTHER, monday, [HOUSING])  # due 6-17: overdue on 6-20
    raised(RequestCategory.PERMIT, date(2024, 6, 18), [])  # open, with no department
    await isolated.save_and_project(enterprise, *project.all_aggregates())

    figures = await request_figures(isolated.pool, date(2024, 6, 20))
    assert figures.on_time_resolution_rate == 2 / 2  # the late answer is being redone
    assert figures.average_satisfaction == 3.5  # the redone request's 2 counts
    assert figures.redo_rate == 1 / 2  # redone at least once, over rated at least once
    assert {d.department: d for d in figures.requests_by_department} == {
        HOUSING: DepartmentLoad(HOUSING, open=2, overdue=1),
        PLANNING: DepartmentLoad(PLANNING, open=1, overdue=0),
    }
    a_week_later = await request_figures(isolated.pool, date(2024, 6, 27))
    assert {d.department: d.overdue for d in a_week_later.requests_by_department} == {
        HOUSING: 2,
        PLANNING: 1,
    }
