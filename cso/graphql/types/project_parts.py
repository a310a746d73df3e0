"""What a project holds: milestones, CSO terms, its service plan and requests.

Each type has one mapper from a read-model row. Milestones, CSO terms and the plan are read
at a project version (a current project's, or the version a replay reached); a replayed
project's requests are its aggregate's, first put in the read model's row shape.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from cso.domain import enums as domain
from cso.domain import project_records as records
from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.enums import (
    Milestone,
    RequestCategory,
    RequestStatus,
    ServiceItemStatus,
    ServiceKind,
)
from cso.graphql.keyset import Row
from cso.graphql.loaders import batch_by_id, loader
from cso.graphql.scalars import to_id
from cso.projections import project_queries as read_model
from cso.projections import request_queries

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


@strawberry.type(description="A department sent the request back (退回), with its reason.")
class RequestReturn:
    department: str
    reason: str
    at: datetime


@strawberry.type(description="A supervisor moved the due date, by working days, with a reason.")
class RequestExtension:
    working_days: int
    reason: str
    at: datetime
    by_id: strawberry.Private[UUID | None]

    @fields.field("The supervisor who extended it, when they are a registered officer.")
    async def by(self, info: Info[Context, None]) -> OfficerRef | None:
        from cso.graphql.types.officer import load_officer

        return None if self.by_id is None else await load_officer(info.context, self.by_id)


@strawberry.type(description="A request (诉求) the enterprise raised.")
class EnterpriseRequest:
    id: strawberry.ID
    category: RequestCategory
    description: str
    status: RequestStatus
    departments: list[str]
    raised_on: date
    due_on: date = strawberry.field(
        description="The category's working days after the day received (the calendar's)."
    )
    resolution: str | None
    resolved_on: date | None
    satisfaction: int | None
    joint: bool = strawberry.field(
        description="Handled jointly (会办): referred to several departments."
    )
    overdue_from: strawberry.Private[date | None]
    calendar_source: domain.CalendarSource | None = strawberry.field(
        description="The calendar the due date was counted on; null for requests raised "
        "while due dates were counted in calendar days."
    )

    source: domain.RequestSource
    returns: list[RequestReturn] = strawberry.field(
        description="Each return by a department it was referred to, oldest first."
    )
    redo_count: int = strawberry.field(
        description="How many times a rating of 1 or 2 reopened it (a redo)."
    )
    extensions: list[RequestExtension] = strawberry.field(
        description="Each extension of the due date, oldest first."
    )
    project_id: strawberry.Private[UUID]
    due_soon_from: strawberry.Private[date | None]

    @fields.field("The project it was raised on.")
    async def project(self, info: Info[Context, None]) -> ProjectRef | None:
        from cso.graphql.types.project import projects_by_id

        return await loader(info.context, projects_by_id).load(self.project_id)

    @fields.field("Not resolved, due within the next days, and not yet overdue.")
    def due_soon(self, info: Info[Context, None]) -> bool:
        today = info.context.runtime.today()
        return records.is_due_soon(self.due_soon_from, self.overdue_from, today)

    @fields.field("The day the enterprise's request was received (the same as raisedOn).")
    def received_on(self) -> date:
        return self.raised_on

    @fields.field("Not resolved, and today is after the due date.")
    def overdue(self, info: Info[Context, None]) -> bool:
        return records.is_overdue(self.overdue_from, info.context.runtime.today())


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


def request_of(row: Row) -> EnterpriseRequest:
    """The type's one mapper: from a read-model row (rm_requests) or `request_row`."""
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
        joint=row["joint"],
        overdue_from=row["overdue_from"],
        calendar_source=(
            None
            if row["calendar_source"] is None
            else domain.CalendarSource[row["calendar_source"]]
        ),
        source=domain.RequestSource[row["source"]],
        returns=returns_of(row.get("returns")),
        redo_count=row.get("redo_count") or 0,
        extensions=extensions_of(row.get("extensions")),
        project_id=row["project_id"],
        due_soon_from=row["due_soon_from"],
    )


def returns_of(document: str | None) -> list[RequestReturn]:
    """rm_requests.returns (JSON text); none where the row has no such column (a replay)."""
    return [
        RequestReturn(
            department=item["department"],
            reason=item["reason"],
            at=datetime.fromisoformat(item["at"]),
        )
        for item in json.loads(document or "[]")
    ]


def extensions_of(document: str | None) -> list[RequestExtension]:
    """rm_requests.extensions (JSON text); none where the row has no such column (a replay)."""
    return [
        RequestExtension(
            working_days=item["workingDays"],
            reason=item["reason"],
            at=datetime.fromisoformat(item["at"]),
            by_id=None if item["by"] is None else UUID(item["by"]),
        )
        for item in json.loads(document or "[]")
    ]


def request_row(view: records.EnterpriseRequest, project_id: UUID) -> dict[str, Any]:
    """A request of a project aggregate in the read model's row shape, decided by the domain."""
    return {
        "id": view.id,
        "project_id": project_id,
        "source": domain.RequestSource.PROJECT.name,
        "due_soon_from": view.due_soon_from,
        "category": view.category.value,
        "description": view.description,
        "status": view.status.value,
        "departments": list(view.departments),
        "raised_on": view.raised_on,
        "due_on": view.due_on,
        "resolution": view.resolution,
        "resolved_on": view.resolved_on,
        "satisfaction": view.satisfaction,
        "joint": view.joint,
        "overdue_from": view.overdue_from,
        "calendar_source": None if view.calendar_source is None else view.calendar_source.value,
        "redo_count": view.redo_count,
    }


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


async def requests_of(context: Context, ids: list[UUID]) -> list[list[EnterpriseRequest]]:
    found = await read_model.requests_of(context.db, ids)
    return [[request_of(row) for row in rows] for rows in found]


enterprise_requests_by_id = batch_by_id(request_queries.requests_by_ids, request_of)


async def load_enterprise_request(context: Context, request_id: UUID) -> EnterpriseRequest | None:
    """One request through the request's batch by id (None when the read model lacks it)."""
    return await loader(context, enterprise_requests_by_id).load(request_id)
