"""The dashboard: the district's figures at a glance."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from cso.domain.enums import TalentTier
from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.enums import ProjectStage
from cso.graphql.loaders import loader
from cso.projections.dashboard import DashboardFigures
from cso.projections.request_figures import RequestFigures, request_figures


@strawberry.type
class StageCount:
    stage: ProjectStage
    count: int


@strawberry.type
class TierCount:
    tier: TalentTier
    count: int


@strawberry.type
class Dashboard:
    projects_by_stage: list[StageCount] = strawberry.field(
        description="Every stage in order, zeros included."
    )
    open_requests: int = strawberry.field(description="Requests not yet resolved.")
    overdue_requests: int = strawberry.field(
        description="Not resolved, and today is after the due date."
    )
    median_days_signing_to_construction: float | None = strawberry.field(
        description="Null until a project has started construction."
    )
    housing_occupancy_rate: float | None = strawberry.field(
        description="Share of listed units that are OCCUPIED; null before any unit is listed."
    )
    organisation_coverage_rate: float | None = strawberry.field(
        description="Share of enterprises with a party organisation; null without enterprises."
    )
    work_coverage_rate: float | None = strawberry.field(
        description="Share with a party organisation or a posted first secretary."
    )
    waitlist_by_tier: list[TierCount] = strawberry.field(
        default_factory=list, description="Applications waiting, every tier, A first."
    )

    @fields.field("Resolved on or before the due date, over resolved; null: none resolved.")
    async def on_time_resolution_rate(self, info: Info[Context, None]) -> float | None:
        return (await self._requests(info)).on_time_resolution_rate

    @fields.field("The rated requests' mean satisfaction (1–5); null: none rated.")
    async def average_satisfaction(self, info: Info[Context, None]) -> float | None:
        return (await self._requests(info)).average_satisfaction

    @fields.field(
        "Requests redone (reopened by a rating of 1 or 2) at least once, over requests rated "
        "at least once; null: none rated."
    )
    async def redo_rate(self, info: Info[Context, None]) -> float | None:
        return (await self._requests(info)).redo_rate

    @fields.field("Each department with requests referred to it: open, and overdue today.")
    async def requests_by_department(self, info: Info[Context, None]) -> list[DepartmentRequests]:
        figures = await self._requests(info)
        return [
            DepartmentRequests(department=d.department, open=d.open, overdue=d.overdue)
            for d in figures.requests_by_department
        ]

    async def _requests(self, info: Info[Context, None]) -> RequestFigures:
        today = info.context.runtime.today()
        return await loader(info.context, request_figures_on).load(today)


@strawberry.type(description="A department's requests (有呼必应).")
class DepartmentRequests:
    department: str
    open: int = strawberry.field(description="Referred to it and not resolved.")
    overdue: int = strawberry.field(description="Of those, past their due date today.")


async def request_figures_on(context: Context, days: list[date]) -> list[RequestFigures]:
    """The request figures asked for in one response, read once (one day: today)."""
    return [await request_figures(context.db, day) for day in days]


def dashboard_of(figures: DashboardFigures) -> Dashboard:
    return Dashboard(
        projects_by_stage=[
            StageCount(stage=s.stage, count=s.count) for s in figures.projects_by_stage
        ],
        open_requests=figures.open_requests,
        overdue_requests=figures.overdue_requests,
        median_days_signing_to_construction=figures.median_days_signing_to_construction,
        housing_occupancy_rate=figures.housing_occupancy_rate,
        organisation_coverage_rate=figures.organisation_coverage_rate,
        work_coverage_rate=figures.work_coverage_rate,
        waitlist_by_tier=[TierCount(tier=t, count=n) for t, n in figures.waitlist_by_tier],
    )
