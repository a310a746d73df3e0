"""registerProject, assignCso, the service plan and records, milestones, closeProject."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

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
    fresh,
)
from cso.graphql.scalars import parse_id, parse_optional_id, to_id
from cso.graphql.types.project import Project, project_from_aggregate
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


@strawberry.type
class ProjectPayload:
    project: Project
    consistency_token: str


@strawberry.type
class RecordServicePayload:
    project: Project
    service_id: strawberry.ID
    consistency_token: str


async def changed_project(info: Info[Context, None], changed: Changed) -> Project:
    return await fresh(info, changed["project"], ProjectAggregate, project_from_aggregate)


async def project_payload(info: Info[Context, None], changed: Changed) -> ProjectPayload:
    project = await changed_project(info, changed)
    return ProjectPayload(project=project, consistency_token=consistency_token(info, changed))


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
        return await project_payload(info, changed)

    @fields.mutation("Supervisors.")
    async def assign_cso(self, info: Info[Context, None], input: AssignCsoInput) -> ProjectPayload:
        changed = await projects.assign_cso(
            application(info),
            command(info, input),
            project_id=parse_id(input.project_id, "projectId"),
            officer_id=parse_id(input.officer_id, "officerId"),
        )
        return await project_payload(info, changed)

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
        return await project_payload(info, changed)

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
        return await project_payload(info, changed)

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
            project=await changed_project(info, changed),
            service_id=to_id(changed["service"]),
            consistency_token=consistency_token(info, changed),
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
        return await project_payload(info, changed)

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
        return await project_payload(info, changed)
