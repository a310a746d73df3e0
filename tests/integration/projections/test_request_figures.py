"""The dashboard's 有呼必应 figures against a hand-computed example."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg
import pytest
from eventsourcing.domain import Aggregate

from cso.database import connect, create_pool
from cso.domain.enums import DOMAIN_ENUMS, RequestCategory
from cso.eventstore import Codec, EventStore, Listener, Metadata, Repository
from cso.migrations import migrate
from cso.projections import ALL_PROJECTIONS
from cso.projections.request_figures import DepartmentLoad, request_figures
from cso.projections.runner import ProjectionRunner
from tests.integration.projections.factories import new_enterprise, new_project

HOUSING, FIRE, PLANNING = "区住建局", "区消防救援大队", "区规划和自然资源局"


@dataclass
class Isolated:
    database_url: str
    pool: asyncpg.Pool[Any]
    repository: Repository

    async def save_and_project(self, *aggregates: Aggregate) -> None:
        result = await self.repository.save(*aggregates, metadata=Metadata())
        for projection in ALL_PROJECTIONS:
            runner = ProjectionRunner(
                projection,
                database_url=self.database_url,
                store=self.repository.store,
                codec=self.repository.codec,
                listener=Listener(self.database_url, poll_interval=0.05),
            )
            assert await runner.catch_up_to(result.checkpoint) >= result.checkpoint


@pytest.fixture
async def isolated(empty_database: str) -> AsyncIterator[Isolated]:
    conn = await connect(empty_database)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    pool = await create_pool(empty_database, min_size=1, max_size=4)
    yield Isolated(empty_database, pool, Repository(EventStore(pool), Codec(DOMAIN_ENUMS)))
    await pool.close()


async def test_no_requests_means_no_rates_and_no_departments(isolated: Isolated) -> None:
    figures = await request_figures(isolated.pool, date(2024, 6, 20))
    assert figures.on_time_resolution_rate is None
    assert figures.average_satisfaction is None
    assert figures.requests_by_department == []


async def test_the_request_figures_on_a_known_data_set(isolated: Isolated) -> None:
    enterprise = new_enterprise()
    project = new_project(enterprise)
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
    await isolated.save_and_project(enterprise, project)

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
