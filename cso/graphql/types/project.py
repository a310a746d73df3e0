"""Project: one investment project, followed by one CSO from signing to operation.

One mapper, `project_from_row`, for a read-model row and for an aggregate put in the same
row shape (`project_row`: time travel, and what is not projected yet). Scalars come from
the row; lists are read from the read model at the project's version, so a replayed project
shows them as they were then. A replayed project's requests are each request replayed to
the project's moment (and the requests of an older database its state still holds).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from cso.domain import enums as domain
from cso.domain import project as aggregate
from cso.domain.project_records import LegacyRequest, is_overdue
from cso.graphql import fields
from cso.graphql.connections import Connection
from cso.graphql.context import Context
from cso.graphql.enums import ProjectOutcome, ProjectStage
from cso.graphql.keyset import Row
from cso.graphql.loaders import batch_by_id, loader
from cso.graphql.types.chain import IndustryChain, load_chain
from cso.graphql.types.common import (
    STAMP_READERS,
    as_is,
    row_mapper,
    stamp_row,
    unprojected,
    view_aggregate,
)
from cso.graphql.types.enterprise import Enterprise, load_enterprise
from cso.graphql.types.enterprise_request import (
    EnterpriseRequest,
    request_at,
    request_of,
    requests_of,
)
from cso.graphql.types.event import Event, history
from cso.graphql.types.officer import Officer, load_officer
from cso.graphql.types.project_parts import (
    CsoAssignment,
    ReachedMilestone,
    ServicePlanItem,
    ServiceRecord,
    assignments_at,
    milestones_at,
    plans_at,
)
from cso.graphql.types.project_services import projected_services
from cso.projections import project_queries as read_model


@strawberry.type
class Project:
    id: strawberry.ID
    version: int
    created_at: datetime
    updated_at: datetime
    name: str
    investment: Decimal = strawberry.field(description='In 万元, e.g. "12500.00".')
    stage: ProjectStage = strawberry.field(description="The latest milestone, or CLOSED.")
    signed_on: date
    closed: bool
    outcome: ProjectOutcome | None
    close_reason: str | None
    cso_since: date | None = strawberry.field(
        description="The day the active CSO's term began; null without a CSO."
    )
    latest_service_on: date | None = strawberry.field(
        description="The latest day a service was recorded for; null before the first."
    )
    open_requests: int = strawberry.field(description="Requests not yet resolved.")
    enterprise_id: strawberry.Private[UUID]
    chain_id: strawberry.Private[UUID | None]
    cso_id: strawberry.Private[UUID | None]
    service_count: strawberry.Private[int]
    overdue_from: strawberry.Private[date | None]
    # A replayed project's moment and the requests of an older database it held then, in
    # the read model's row shape; None: a current project (read the model).
    replayed_at: strawberry.Private[datetime | None]
    held_requests: strawberry.Private[list[Row]]
    # What a page fetched with its rows (cso.graphql.types.project_page), by field name: such
    # a field resolves at once, with no task of its own; one not in hand is loaded.
    in_hand: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)

    @fields.in_hand_field(Enterprise | None)
    def enterprise(
        self, info: Info[Context, None]
    ) -> Enterprise | Awaitable[Enterprise | None] | None:
        if "enterprise" in self.in_hand:
            found: Enterprise | None = self.in_hand["enterprise"]
            return found
        return load_enterprise(info.context, self.enterprise_id)

    @strawberry.field
    async def chain(self, info: Info[Context, None]) -> IndustryChain | None:
        return await load_chain(info.context, self.chain_id)

    @fields.in_hand_field(Officer | None, "The active CSO, if any.")
    def cso(self, info: Info[Context, None]) -> Officer | Awaitable[Officer | None] | None:
        if "cso" in self.in_hand:
            found: Officer | None = self.in_hand["cso"]
            return found
        return load_officer(info.context, self.cso_id)

    @strawberry.field
    async def milestones(self, info: Info[Context, None]) -> list[ReachedMilestone]:
        return await loader(info.context, milestones_at).load(self._at)

    @fields.field("Every CSO the project has had, oldest first.")
    async def cso_assignments(self, info: Info[Context, None]) -> list[CsoAssignment]:
        return await loader(info.context, assignments_at).load(self._at)

    @strawberry.field
    async def service_plan(self, info: Info[Context, None]) -> list[ServicePlanItem]:
        return await loader(info.context, plans_at).load(self._at)

    @fields.field("Service records, newest first.")
    async def services(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[ServiceRecord]:
        return await projected_services(
            info.context, UUID(self.id), self.version, self.service_count, first, after
        )

    @fields.in_hand_field(list[EnterpriseRequest])
    def requests(
        self, info: Info[Context, None]
    ) -> list[EnterpriseRequest] | Awaitable[list[EnterpriseRequest]]:
        if "requests" in self.in_hand:
            found: list[EnterpriseRequest] = self.in_hand["requests"]
            return found
        return self._requests(info.context)

    @fields.field("One of its requests is not resolved and past its due date.")
    async def has_overdue_requests(self, info: Info[Context, None]) -> bool:
        today = info.context.runtime.today()
        if self.replayed_at is None:
            return is_overdue(self.overdue_from, today)
        # A replayed project's requests, each replayed to its moment, decide it.
        return any(is_overdue(r.overdue_from, today) for r in await self._requests(info.context))

    @strawberry.field
    async def history(self, info: Info[Context, None]) -> list[Event]:
        return await history(info, self.id, self.version)

    async def _requests(self, context: Context) -> list[EnterpriseRequest]:
        """As the read model has them; a replayed project's, each replayed to its moment
        (and the requests of an older database it then held)."""
        current = await loader(context, requests_of).load(UUID(self.id))
        if self.replayed_at is None:
            return current
        held = [request_of(row) for row in self.held_requests]
        replayed = [
            await request_at(context, UUID(r.id), version=None, as_of=self.replayed_at)
            for r in current
            if r.id not in {h.id for h in held}
        ]
        return held + [r for r in replayed if r is not None]

    @property
    def _at(self) -> read_model.At:
        return UUID(self.id), self.version


_STAGES = dict(domain.ProjectStage.__members__)
_OUTCOMES = dict(domain.ProjectOutcome.__members__)

_project_of_row = row_mapper(
    Project,
    {
        **STAMP_READERS,
        **as_is(
            "name",
            "investment",
            "signed_on",
            "closed",
            "close_reason",
            "cso_since",
            "latest_service_on",
            "open_requests",
            "enterprise_id",
            "chain_id",
            "cso_id",
            "service_count",
            "overdue_from",
        ),
        "stage": lambda row: _STAGES[row["stage"]],
        "outcome": lambda row: None if row["outcome"] is None else _OUTCOMES[row["outcome"]],
        "replayed_at": lambda row: None,  # a current project
        "held_requests": lambda row: [],
        "in_hand": lambda row: {},
    },
)


def project_from_row(
    row: Row, replayed_at: datetime | None = None, held_requests: Sequence[Row] = ()
) -> Project:
    """The type's one mapper: from a read-model row (PROJECT_COLUMNS) or `project_row`, each
    field read when first asked for (common.row_mapper); a replayed project's moment and
    the requests of an older database it held are given beside the row."""
    project = _project_of_row(row)
    if replayed_at is not None or held_requests:
        project.replayed_at = replayed_at
        project.held_requests = list(held_requests)
    return project


def project_row(project: aggregate.Project) -> dict[str, Any]:
    """An aggregate in the read model's row shape: every figure as the domain decides it."""
    return {
        **stamp_row(project),
        "enterprise_id": project.enterprise_id,
        "name": project.name,
        "investment": project.investment,
        "chain_id": project.chain_id,
        "stage": project.stage.value,
        "signed_on": project.signed_on,
        "cso_id": project.cso_id,
        "cso_since": project.cso_since,
        "closed": project.closed,
        "outcome": None if project.outcome is None else project.outcome.value,
        "close_reason": project.close_reason,
        "service_count": project.service_count,
        "latest_service_on": project.latest_service_on,
        "open_requests": len(project.open_request_ids),
        # Of the requests its state holds (an older database's); `has_overdue_requests` of a
        # replayed project reads its replayed requests instead.
        "overdue_from": min(
            (r.overdue_from for r in project.legacy_requests if r.overdue_from), default=None
        ),
    }


def project_from_aggregate(project: aggregate.Project) -> Project:
    """A replayed (or not yet projected) project, through the one mapper."""
    row = project_row(project)
    held = [legacy_request_row(r, row) for r in project.legacy_requests]
    return project_from_row(row, replayed_at=project.modified_on, held_requests=held)


def legacy_request_row(view: LegacyRequest, project: dict[str, Any]) -> dict[str, Any]:
    """A request of an older database, as its project holds it, in the read model's row
    shape (stamped with the project's version and times, which were its own)."""
    return {
        "id": view.id,
        "version": project["version"],
        "created_at": project["created_at"],
        "updated_at": project["updated_at"],
        "project_id": project["id"],
        "posting_id": None,
        "enterprise_id": project["enterprise_id"],
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


projects_by_id = batch_by_id(
    read_model.projects_by_ids,
    project_from_row,
    unprojected(aggregate.Project, project_from_aggregate),
)


async def project_at(
    context: Context, project_id: UUID, *, version: int | None, as_of: datetime | None
) -> Project | None:
    """The project replayed to a version and/or a moment (None before it existed)."""
    return await view_aggregate(
        context, project_id, aggregate.Project, project_from_aggregate, version=version, as_of=as_of
    )
