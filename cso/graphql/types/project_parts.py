"""What a project holds: milestones, CSO terms, its service plan (its requests are
EnterpriseRequests, `cso.graphql.types.enterprise_request`).

Each type has one mapper from a read-model row. Milestones, CSO terms and the plan are read
at a project version (a current project's, or the version a replay reached).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry
from strawberry.types import Info

from cso.domain import enums as domain
from cso.domain import project_records as records
from cso.graphql.context import Context
from cso.graphql.enums import (
    Milestone,
    ServiceItemStatus,
    ServiceKind,
)
from cso.graphql.keyset import Row
from cso.graphql.scalars import to_id
from cso.projections import project_queries as read_model

if TYPE_CHECKING:
    from cso.graphql.types.officer import Officer
    from cso.graphql.types.project import Project

OfficerRef = Annotated["Officer", strawberry.lazy("cso.graphql.types.officer")]
ProjectRef = Annotated["Project", strawberry.lazy("cso.graphql.types.project")]


@strawberry.type
class ReachedMilestone:
    milestone: Milestone
    on: date


@strawberry.type(description="One CSO's term on a project; `to` is null while it lasts.")
class CsoAssignment:
    from_: date = strawberry.field(name="from")
    to: date | None
    reason: str | None
    officer_id: strawberry.Private[UUID]

    @strawberry.field
    def active(self) -> bool:
        return self.to is None

    @strawberry.field
    async def officer(self, info: Info[Context, None]) -> OfficerRef | None:
        from cso.graphql.types.officer import load_officer

        return await load_officer(info.context, self.officer_id)


@strawberry.type
class ServicePlanItem:
    item: str
    status: ServiceItemStatus


@strawberry.type(description="One thing an officer did for the project.")
class ServiceRecord:
    id: strawberry.ID
    kind: ServiceKind
    summary: str
    occurred_on: date
    officer_id: strawberry.Private[UUID]

    @strawberry.field
    async def officer(self, info: Info[Context, None]) -> OfficerRef | None:
        from cso.graphql.types.officer import load_officer

        return await load_officer(info.context, self.officer_id)


def milestone_of(row: Row) -> ReachedMilestone:
    return ReachedMilestone(milestone=domain.Milestone[row["milestone"]], on=row["reached_on"])


def assignment_of(row: Row) -> CsoAssignment:
    return CsoAssignment(
        from_=row["start_on"], to=row["end_on"], reason=row["reason"], officer_id=row["officer_id"]
    )


def plan_of(row: Row) -> list[ServicePlanItem]:
    """A plan row (`items`, `completed_items`) as its items, in the plan's order."""
    done = set(row["completed_items"])
    return [
        ServicePlanItem(item=item, status=records.ServicePlanItem(item, item in done).status)
        for item in row["items"]
    ]


def service_of(row: Row) -> ServiceRecord:
    return ServiceRecord(
        id=to_id(row["id"]),
        kind=domain.ServiceKind[row["kind"]],
        summary=row["summary"],
        occurred_on=row["occurred_on"],
        officer_id=row["officer_id"],
    )


async def milestones_at(
    context: Context, keys: list[read_model.At]
) -> list[list[ReachedMilestone]]:
    found = await read_model.milestones_at(context.db, keys)
    return [[milestone_of(row) for row in rows] for rows in found]


async def assignments_at(context: Context, keys: list[read_model.At]) -> list[list[CsoAssignment]]:
    found = await read_model.assignments_at(context.db, keys)
    return [[assignment_of(row) for row in rows] for rows in found]


async def plans_at(context: Context, keys: list[read_model.At]) -> list[list[ServicePlanItem]]:
    found = await read_model.plans_at(context.db, keys)
    return [plan_of(rows[0]) if rows else [] for rows in found]
