"""EnterpriseRequest: a request (诉求) from a project or a posting, as clients read it.

One mapper, `request_of`, for a read-model row (rm_requests) and for an aggregate put in
the same row shape (`request_row`): time travel (`asOf:`, `version:`) and what is not
projected yet. A replay reads its returns and extensions from the request's own events up
to the version it reached, in the read model's shape.
"""

from __future__ import annotations

import contextlib
import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from cso.domain import enterprise_request as aggregate
from cso.domain import enums as domain
from cso.domain import project_records as records
from cso.graphql import fields
from cso.graphql.consistency import WAIT_SECONDS
from cso.graphql.context import Context
from cso.graphql.enums import RequestCategory, RequestStatus
from cso.graphql.keyset import Row
from cso.graphql.loaders import batch_by_id, loader
from cso.graphql.types.common import (
    STAMP_READERS,
    as_is,
    row_mapper,
    stamp_row,
    unprojected,
    view_aggregate,
)
from cso.graphql.types.event import Actor, Event, histories, history, readable_type
from cso.projections import project_queries, request_queries
from cso.projections.requests import acted_by

if TYPE_CHECKING:
    from cso.graphql.types.enterprise import Enterprise
    from cso.graphql.types.officer import Officer
    from cso.graphql.types.posting import SecretaryPosting
    from cso.graphql.types.project import Project

OfficerRef = Annotated["Officer", strawberry.lazy("cso.graphql.types.officer")]
ProjectRef = Annotated["Project", strawberry.lazy("cso.graphql.types.project")]
EnterpriseRef = Annotated["Enterprise", strawberry.lazy("cso.graphql.types.enterprise")]
PostingRef = Annotated["SecretaryPosting", strawberry.lazy("cso.graphql.types.posting")]


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
    actor: Actor | None = strawberry.field(
        description="Who extended it, as their token named them (a supervisor is no "
        "registered officer); null in rows projected before it was kept."
    )
    by_id: strawberry.Private[UUID | None]

    @fields.field("The supervisor who extended it, when they are a registered officer.")
    async def by(self, info: Info[Context, None]) -> OfficerRef | None:
        from cso.graphql.types.officer import load_officer

        return None if self.by_id is None else await load_officer(info.context, self.by_id)


@strawberry.type(description="A request (诉求) an enterprise raised, on a project or a posting.")
class EnterpriseRequest:
    id: strawberry.ID
    version: int = strawberry.field(
        description="Its stream's version (a request of an older database not yet carried "
        "over shows its project's)."
    )
    created_at: datetime
    updated_at: datetime
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
    project_id: strawberry.Private[UUID | None]
    posting_id: strawberry.Private[UUID | None]
    enterprise_id: strawberry.Private[UUID | None]
    due_soon_from: strawberry.Private[date | None]

    @fields.field("The project it was raised on; null for a request raised on a posting.")
    async def project(self, info: Info[Context, None]) -> ProjectRef | None:
        from cso.graphql.types.project import projects_by_id

        if self.project_id is None:
            return None
        return await loader(info.context, projects_by_id).load(self.project_id)

    @fields.field("The first secretary's posting it was logged on; null for a project's.")
    async def posting(self, info: Info[Context, None]) -> PostingRef | None:
        from cso.graphql.types.posting import load_posting

        return await load_posting(info.context, self.posting_id)

    @fields.field("The enterprise that raised it.")
    async def enterprise(self, info: Info[Context, None]) -> EnterpriseRef | None:
        from cso.graphql.types.enterprise import load_enterprise

        return (
            None
            if self.enterprise_id is None
            else await load_enterprise(info.context, self.enterprise_id)
        )

    @fields.field("The department leading it (牵头): the first it is referred to.")
    def lead_department(self) -> str | None:
        return self.departments[0] if self.departments else None

    @strawberry.field
    async def history(self, info: Info[Context, None]) -> list[Event]:
        return await history(info, self.id, self.version)

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


_CATEGORIES = dict(domain.RequestCategory.__members__)
_STATUSES = dict(domain.RequestStatus.__members__)
_CALENDARS = dict(domain.CalendarSource.__members__)
_SOURCES = dict(domain.RequestSource.__members__)

_request_of_row = row_mapper(
    EnterpriseRequest,
    {
        **STAMP_READERS,
        "category": lambda row: _CATEGORIES[row["category"]],
        **as_is(
            "description",
            "raised_on",
            "due_on",
            "resolution",
            "resolved_on",
            "satisfaction",
            "joint",
            "overdue_from",
            "project_id",
            "posting_id",
            "enterprise_id",
            "due_soon_from",
        ),
        "status": lambda row: _STATUSES[row["status"]],
        "departments": lambda row: list(row["departments"]),
        "calendar_source": lambda row: (
            None if row["calendar_source"] is None else _CALENDARS[row["calendar_source"]]
        ),
        "source": lambda row: _SOURCES[row["source"]],
        "returns": lambda row: returns_of(row.get("returns")),
        "redo_count": lambda row: row.get("redo_count") or 0,
        "extensions": lambda row: extensions_of(row.get("extensions")),
    },
)


def request_of(row: Row) -> EnterpriseRequest:
    """The type's one mapper: from a read-model row (rm_requests) or `request_row`, each
    field read when first asked for (common.row_mapper)."""
    return _request_of_row(row)


def returns_of(document: str | None) -> list[RequestReturn]:
    """rm_requests.returns (JSON text); none where the row has no such column (a replay)."""
    if document is None or document == "[]":  # most requests: no JSON to decode
        return []
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
    if document is None or document == "[]":  # most requests: no JSON to decode
        return []
    return [
        RequestExtension(
            working_days=item["workingDays"],
            reason=item["reason"],
            at=datetime.fromisoformat(item["at"]),
            actor=None if item.get("actor") is None else Actor(**item["actor"]),
            by_id=None if item["by"] is None else UUID(item["by"]),
        )
        for item in json.loads(document or "[]")
    ]


def request_row(request: aggregate.EnterpriseRequest) -> dict[str, Any]:
    """An aggregate in the read model's row shape, every figure as the domain decides it;
    returns and extensions are left to `with_timelines` (they are events, not state)."""
    return {
        **stamp_row(request),
        "source": request.source.value,
        "project_id": request.project_id,
        "posting_id": request.posting_id,
        "enterprise_id": request.enterprise_id,
        "category": request.category.value,
        "description": request.description,
        "status": request.status.value,
        "departments": list(request.departments),
        "joint": request.joint,
        "raised_on": request.received_on,
        "due_on": request.due_on,
        "overdue_from": request.overdue_from,
        "due_soon_from": request.due_soon_from,
        "resolution": request.resolution,
        "resolved_on": request.resolved_on,
        "satisfaction": request.satisfaction,
        "calendar_source": None
        if request.calendar_source is None
        else request.calendar_source.value,
        "redo_count": request.redo_count,
    }


async def with_timelines(context: Context, row: dict[str, Any]) -> dict[str, Any]:
    """`row` with its returns and extensions, read from the request's events up to its
    version (as JSON text in rm_requests' shape, so the one mapper reads both alike)."""
    recorded = await loader(context, histories).load((row["id"], row["version"]))
    codec = context.runtime.repository.codec
    returns: list[dict[str, Any]] = []
    extensions: list[dict[str, Any]] = []
    for e in recorded:
        data, at = codec.plain(e.data), e.recorded_at.isoformat()
        if readable_type(e.type) == "EnterpriseRequest.Returned":
            returns.append({"department": data["department"], "reason": data["reason"], "at": at})
        elif readable_type(e.type) == "EnterpriseRequest.DeadlineExtended":
            extensions.append(
                {
                    "workingDays": data["working_days"],
                    "reason": data["reason"],
                    "by": data["by"],
                    "at": at,
                    "actor": acted_by(e),
                }
            )
    return {**row, "returns": json.dumps(returns), "extensions": json.dumps(extensions)}


async def request_at(
    context: Context, request_id: UUID, *, version: int | None, as_of: datetime | None
) -> EnterpriseRequest | None:
    """The request replayed to a version and/or a moment (None before it existed; a version
    beyond its latest is the caller's to refuse, as `now_or_replayed` does)."""
    row = await view_aggregate(
        context, request_id, aggregate.EnterpriseRequest, request_row, version=version, as_of=as_of
    )
    return None if row is None else request_of(await with_timelines(context, row))


async def _unprojected_view(
    context: Context, ids: list[UUID], found: set[UUID]
) -> dict[UUID, EnterpriseRequest]:
    views = await unprojected(aggregate.EnterpriseRequest, request_row)(context, ids, found)
    return {key: request_of(await with_timelines(context, row)) for key, row in views.items()}


async def requests_of(context: Context, ids: list[UUID]) -> list[list[EnterpriseRequest]]:
    """Per project, its requests as they are now, in the order it kept them."""
    found = await project_queries.requests_of(context.db, ids)
    return [[request_of(row) for row in rows] for rows in found]


async def problems_of(context: Context, ids: list[UUID]) -> list[list[EnterpriseRequest]]:
    """Per posting, the problems logged on it as they are now, in the order received."""
    found = await request_queries.problems_of(context.db, ids)
    return [[request_of(row) for row in rows] for rows in found]


enterprise_requests_by_id = batch_by_id(
    request_queries.requests_by_ids, request_of, _unprojected_view
)


async def load_written_request(
    context: Context, token: str, request_id: UUID
) -> EnterpriseRequest | None:
    """A mutation's changed request, once the read models include ``token`` (at most
    WAIT_SECONDS); a request read earlier in the operation is read anew. When they do not
    include it in time, the request is replayed from its events instead, so a payload never
    answers the state before its own mutation."""
    if await context.runtime.projections.wait_for(token, WAIT_SECONDS):
        with contextlib.suppress(KeyError):
            loader(context, enterprise_requests_by_id).clear(request_id)
        found = await load_enterprise_request(context, request_id)
        if found is not None:
            return found
    return await request_at(context, request_id, version=None, as_of=None)


async def load_enterprise_request(context: Context, request_id: UUID) -> EnterpriseRequest | None:
    """One request through the request's batch by id (None when there is none)."""
    return await loader(context, enterprise_requests_by_id).load(request_id)
