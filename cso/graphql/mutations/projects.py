"""registerProject, assignCso, the service plan and records, milestones, closeProject."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import strawberry
from strawberry.types import Info

from cso.domain.project import Project as ProjectAggregate
from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.enums import Milestone, ProjectOutcome, ServiceKind
from cso.graphql.mutations.common import (
    MutationInput,
    application,
    command,
    consistency_token,
    written,
)
from cso.graphql.scalars import parse_id, parse_optional_id, to_id
from cso.graphql.types.project import Project, project_from_aggregate, projects_by_id
from cso.services import projects
from cso.services.application import Changed


@strawberry.input
class RegisterProjectInput(MutationInput):
    enterprise_id: strawberry.ID
    name: str
    investment: Decimal = strawberry.field(description='In 万元, e.g. "12500.00".')
    chain_id: strawberry.ID | None = strawberry.field(
        default=None, description="The enterprise's chain when not given."
    )
    signed_on: date = strawberry.field(description="Recorded as the SIGNED milestone.")


@strawberry.input(description="Assigns the first CSO, or replaces the current one (give a reason).")
class AssignCsoInput(MutationInput):
    project_id: strawberry.ID
    officer_id: strawberry.ID


@strawberry.input
class SetServicePlanInput(MutationInput):
    project_id: strawberry.ID
    items: list[str]


@strawberry.input
class CompleteServiceItemInput(MutationInput):
    project_id: strawberry.ID
    item: str


@strawberry.input
class RecordServiceInput(MutationInput):
    project_id: strawberry.ID
    kind: ServiceKind
    summary: str
    occurred_on: date


@strawberry.input
class ReachMilestoneInput(MutationInput):
    project_id: strawberry.ID
    milestone: Milestone
    on: date


@strawberry.input
class CloseProjectInput(MutationInput):
    project_id: strawberry.ID
    outcome: ProjectOutcome


async def written_project(info: Info[Context, None], token: str, project_id: UUID) -> Project:
    """The changed project, read once the read models include the mutation (see `written`)."""
    return await written(
        info, token, project_id, projects_by_id, ProjectAggregate, project_from_aggregate
    )


@strawberry.type
class ProjectPayload:
    consistency_token: str
    project_id: strawberry.Private[UUID]

    @fields.field("The project after the change; read only when asked for.")
    async def project(self, info: Info[Context, None]) -> Project:
        return await written_project(info, self.consistency_token, self.project_id)


@strawberry.type
class RecordServicePayload(ProjectPayload):
    service_id: strawberry.ID


def project_payload(info: Info[Context, None], changed: Changed) -> ProjectPayload:
    return ProjectPayload(
        consistency_token=consistency_token(info, changed), project_id=changed["project"]
    )


@strawberry.type
class ProjectMutations:
    @fields.mutation("Officers and supervisors.")
    async def register_project(
        self, info: Info[Context, None], input: RegisterProjectInput
    ) -> ProjectPayload:
        changed = await projects.register_project(
            application(info),
            command(info, input),
            enterprise_id=parse_id(input.enterprise_id, "enterpriseId"),
            name=input.name,
            investment=input.investment,
            chain_id=parse_optional_id(input.chain_id, "chainId"),
            signed_on=input.signed_on,
        )
        return project_payload(info, changed)

    @fields.mutation("Supervisors.")
    async def assign_cso(self, info: Info[Context, None], input: AssignCsoInput) -> ProjectPayload:
        changed = await projects.assign_cso(
            application(info),
            command(info, input),
            project_id=parse_id(input.project_id, "projectId"),
            officer_id=parse_id(input.officer_id, "officerId"),
        )
        return project_payload(info, changed)

    @fields.mutation("The project's CSO, or a supervisor.")
    async def set_service_plan(
        self, info: Info[Context, None], input: SetServicePlanInput
    ) -> ProjectPayload:
        changed = await projects.set_service_plan(
            application(info),
            command(info, input),
            project_id=parse_id(input.project_id, "projectId"),
            items=input.items,
        )
        return project_payload(info, changed)

    @fields.mutation("The project's CSO, or a supervisor.")
    async def complete_service_item(
        self, info: Info[Context, None], input: CompleteServiceItemInput
    ) -> ProjectPayload:
        changed = await projects.complete_service_item(
            application(info),
            command(info, input),
            project_id=parse_id(input.project_id, "projectId"),
            item=input.item,
        )
        return project_payload(info, changed)

    @fields.mutation("The project's CSO, or a supervisor.")
    async def record_service(
        self, info: Info[Context, None], input: RecordServiceInput
    ) -> RecordServicePayload:
        changed = await projects.record_service(
            application(info),
            command(info, input),
            project_id=parse_id(input.project_id, "projectId"),
            kind=input.kind,
            summary=input.summary,
            occurred_on=input.occurred_on,
        )
        return RecordServicePayload(
            consistency_token=consistency_token(info, changed),
            project_id=changed["project"],
            service_id=to_id(changed["service"]),
        )

    @fields.mutation("The project's CSO, or a supervisor.")
    async def reach_milestone(
        self, info: Info[Context, None], input: ReachMilestoneInput
    ) -> ProjectPayload:
        changed = await projects.reach_milestone(
            application(info),
            command(info, input),
            project_id=parse_id(input.project_id, "projectId"),
            milestone=input.milestone,
            on=input.on,
        )
        return project_payload(info, changed)

    @fields.mutation("The project's CSO, or a supervisor; `reason` is kept.")
    async def close_project(
        self, info: Info[Context, None], input: CloseProjectInput
    ) -> ProjectPayload:
        changed = await projects.close_project(
            application(info),
            command(info, input),
            project_id=parse_id(input.project_id, "projectId"),
            outcome=input.outcome,
        )
        return project_payload(info, changed)
