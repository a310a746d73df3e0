"""What a project holds: milestones, CSO assignments, its service plan, services and requests.

Each is mapped from the domain's read views (`cso.domain.project_records`), which come either
from a replayed aggregate or, batched per request, from the read-model tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated, TypeVar
from uuid import UUID

import asyncpg
import strawberry
from strawberry.types import Info

from cso.domain import enums as domain
from cso.domain import project_records as records
from cso.graphql import fields, sql
from cso.graphql.context import Context
from cso.graphql.enums import (
    Milestone,
    RequestCategory,
    RequestStatus,
    ServiceItemStatus,
    ServiceKind,
)
from cso.graphql.scalars import to_id

if TYPE_CHECKING:
    from cso.graphql.types.officer import Officer

OfficerRef = Annotated["Officer", strawberry.lazy("cso.graphql.types.officer")]

V = TypeVar("V")


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


@strawberry.type(description="A request (诉求) the enterprise raised.")
class EnterpriseRequest:
    id: strawberry.ID
    category: RequestCategory
    description: str
    status: RequestStatus
    departments: list[str]
    raised_on: date
    due_on: date
    resolution: str | None
    resolved_on: date | None
    satisfaction: int | None

    @fields.field("Handled jointly (会办): referred to several departments.")
    def joint(self) -> bool:
        return len(self.departments) > 1

    @fields.field("Not resolved, and today is after the due date.")
    def overdue(self, info: Info[Context, None]) -> bool:
        today = info.context.runtime.today()
        return self.status is not domain.RequestStatus.RESOLVED and today > self.due_on


def milestone_of(view: records.ReachedMilestone) -> ReachedMilestone:
    return ReachedMilestone(milestone=view.milestone, on=view.on)


def assignment_of(view: records.CsoAssignment) -> CsoAssignment:
    return CsoAssignment(
        from_=view.start, to=view.end, reason=view.reason, officer_id=view.officer_id
    )


def plan_item_of(view: records.ServicePlanItem) -> ServicePlanItem:
    return ServicePlanItem(item=view.item, status=view.status)


def service_of(view: records.ServiceRecord) -> ServiceRecord:
    return ServiceRecord(
        id=to_id(view.id),
        kind=view.kind,
        summary=view.summary,
        occurred_on=view.occurred_on,
        officer_id=view.officer_id,
    )


def request_of(view: records.EnterpriseRequest) -> EnterpriseRequest:
    return EnterpriseRequest(
        id=to_id(view.id),
        category=view.category,
        description=view.description,
        status=view.status,
        departments=list(view.departments),
        raised_on=view.raised_on,
        due_on=view.due_on,
        resolution=view.resolution,
        resolved_on=view.resolved_on,
        satisfaction=view.satisfaction,
    )


async def _by_project(
    context: Context, query: str, ids: list[UUID], row_view: Callable[[asyncpg.Record], V]
) -> list[list[V]]:
    grouped: dict[UUID, list[V]] = defaultdict(list)
    for row in await context.db.fetch(query, ids):
        grouped[row["project_id"]].append(row_view(row))
    return [grouped.get(project_id, []) for project_id in ids]


async def milestones_by_project(context: Context, ids: list[UUID]) -> list[list[ReachedMilestone]]:
    def view(row: asyncpg.Record) -> ReachedMilestone:
        return ReachedMilestone(milestone=domain.Milestone[row["milestone"]], on=row["reached_on"])

    return await _by_project(context, sql.MILESTONES_BY_PROJECT, ids, view)


async def assignments_by_project(context: Context, ids: list[UUID]) -> list[list[CsoAssignment]]:
    def view(row: asyncpg.Record) -> CsoAssignment:
        return CsoAssignment(
            from_=row["start_on"],
            to=row["end_on"],
            reason=row["reason"],
            officer_id=row["officer_id"],
        )

    return await _by_project(context, sql.ASSIGNMENTS_BY_PROJECT, ids, view)


async def plans_by_project(context: Context, ids: list[UUID]) -> list[list[ServicePlanItem]]:
    def view(row: asyncpg.Record) -> ServicePlanItem:
        return plan_item_of(records.ServicePlanItem(item=row["item"], completed=row["completed"]))

    return await _by_project(context, sql.PLAN_BY_PROJECT, ids, view)


async def requests_by_project(context: Context, ids: list[UUID]) -> list[list[EnterpriseRequest]]:
    def view(row: asyncpg.Record) -> EnterpriseRequest:
        return EnterpriseRequest(
            id=to_id(row["id"]),
            category=domain.RequestCategory[row["category"]],
            description=row["description"],
            status=domain.RequestStatus[row["status"]],
            departments=list(row["departments"]),
            raised_on=row["raised_on"],
            due_on=row["due_on"],
            resolution=row["resolution"],
            resolved_on=row["resolved_on"],
            satisfaction=row["satisfaction"],
        )

    return await _by_project(context, sql.REQUESTS_BY_PROJECT, ids, view)
