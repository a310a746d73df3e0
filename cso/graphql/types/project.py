"""Project: one investment project, followed by one CSO from signing to operation.

A project comes from the read model (lists, `project(id)`), or from the aggregate (time
travel with `asOf`/`version`, mutation payloads); then what it holds is copied from the
aggregate into `held`, and only other aggregates are looked up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import asyncpg
import strawberry
from strawberry.types import Info

from cso.domain import enums as domain
from cso.domain import project as aggregate
from cso.graphql import fields, sql
from cso.graphql.connections import Connection
from cso.graphql.context import Context
from cso.graphql.enums import ProjectOutcome, ProjectStage
from cso.graphql.loaders import loader
from cso.graphql.scalars import to_id
from cso.graphql.types.chain import IndustryChain, load_chain
from cso.graphql.types.common import views_of_unprojected
from cso.graphql.types.enterprise import Enterprise, load_enterprise
from cso.graphql.types.event import Event, history
from cso.graphql.types.officer import Officer, load_officer
from cso.graphql.types.project_parts import (
    CsoAssignment,
    EnterpriseRequest,
    ReachedMilestone,
    ServicePlanItem,
    ServiceRecord,
    assignment_of,
    assignments_by_project,
    milestone_of,
    milestones_by_project,
    plan_item_of,
    plans_by_project,
    request_of,
    requests_by_project,
    service_of,
)
from cso.graphql.types.project_services import projected_services, services_in_memory


@dataclass(frozen=True, slots=True)
class Held:
    """What a project holds, copied from its aggregate."""

    milestones: list[ReachedMilestone]
    assignments: list[CsoAssignment]
    plan: list[ServicePlanItem]
    services: list[ServiceRecord]
    requests: list[EnterpriseRequest]


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
    enterprise_id: strawberry.Private[UUID]
    chain_id: strawberry.Private[UUID | None]
    cso_id: strawberry.Private[UUID | None]
    service_count: strawberry.Private[int]
    held: strawberry.Private[Held | None]

    @strawberry.field
    async def enterprise(self, info: Info[Context, None]) -> Enterprise | None:
        return await load_enterprise(info.context, self.enterprise_id)

    @strawberry.field
    async def chain(self, info: Info[Context, None]) -> IndustryChain | None:
        return await load_chain(info.context, self.chain_id)

    @fields.field("The active CSO, if any.")
    async def cso(self, info: Info[Context, None]) -> Officer | None:
        return await load_officer(info.context, self.cso_id)

    @strawberry.field
    async def milestones(self, info: Info[Context, None]) -> list[ReachedMilestone]:
        if self.held is not None:
            return self.held.milestones
        return await loader(info.context, milestones_by_project).load(UUID(self.id))

    @fields.field("Every CSO the project has had, oldest first.")
    async def cso_assignments(self, info: Info[Context, None]) -> list[CsoAssignment]:
        if self.held is not None:
            return self.held.assignments
        return await loader(info.context, assignments_by_project).load(UUID(self.id))

    @strawberry.field
    async def service_plan(self, info: Info[Context, None]) -> list[ServicePlanItem]:
        if self.held is not None:
            return self.held.plan
        return await loader(info.context, plans_by_project).load(UUID(self.id))

    @fields.field("Service records, newest first.")
    async def services(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[ServiceRecord]:
        if self.held is not None:
            return services_in_memory(self.held.services, first, after)
        return await projected_services(
            info.context, UUID(self.id), self.service_count, first, after
        )

    @strawberry.field
    async def requests(self, info: Info[Context, None]) -> list[EnterpriseRequest]:
        if self.held is not None:
            return self.held.requests
        return await loader(info.context, requests_by_project).load(UUID(self.id))

    @strawberry.field
    async def history(self, info: Info[Context, None]) -> list[Event]:
        return await history(info, self.id, self.version)


def project_from_row(row: asyncpg.Record) -> Project:
    return Project(
        id=to_id(row["id"]),
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        name=row["name"],
        investment=row["investment"],
        stage=domain.ProjectStage[row["stage"]],
        signed_on=row["signed_on"],
        closed=row["closed"],
        outcome=None if row["outcome"] is None else domain.ProjectOutcome[row["outcome"]],
        close_reason=row["close_reason"],
        enterprise_id=row["enterprise_id"],
        chain_id=row["chain_id"],
        cso_id=row["cso_id"],
        service_count=row["service_count"],
        held=None,
    )


def project_from_aggregate(project: aggregate.Project) -> Project:
    return Project(
        id=to_id(project.id),
        version=project.version,
        created_at=project.created_on,
        updated_at=project.modified_on,
        name=project.name,
        investment=project.investment,
        stage=project.stage,
        signed_on=project.signed_on,
        closed=project.closed,
        outcome=project.outcome,
        close_reason=project.close_reason,
        enterprise_id=project.enterprise_id,
        chain_id=project.chain_id,
        cso_id=project.cso_id,
        service_count=len(project.services),
        held=Held(
            milestones=[milestone_of(m) for m in project.milestones],
            assignments=[assignment_of(a) for a in project.cso_assignments],
            plan=[plan_item_of(p) for p in project.service_plan],
            services=[service_of(s) for s in project.services],
            requests=[request_of(r) for r in project.requests],
        ),
    )


async def projects_by_id(context: Context, ids: list[UUID]) -> list[Project | None]:
    rows = await context.db.fetch(sql.PROJECTS_BY_ID, ids)
    found: dict[UUID, Project] = {row["id"]: project_from_row(row) for row in rows}
    found |= await views_of_unprojected(
        context, ids, found, aggregate.Project, project_from_aggregate
    )
    return [found.get(project_id) for project_id in ids]
