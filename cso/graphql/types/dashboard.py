"""The dashboard: the district's figures at a glance."""

from __future__ import annotations

import strawberry

from cso.domain.enums import TalentTier
from cso.graphql.enums import ProjectStage
from cso.projections.dashboard import DashboardFigures


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
