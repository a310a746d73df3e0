"""raiseRequest, referRequest, resolveRequest, rateRequest (the project's CSO, supervisors)."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.enums import RequestCategory
from cso.graphql.mutations.common import MutationInput, application, command, consistency_token
from cso.graphql.mutations.projects import ProjectPayload, project_payload
from cso.graphql.scalars import parse_id, to_id
from cso.services import requests


@strawberry.input
class RaiseRequestInput(MutationInput):
    project_id: strawberry.ID
    category: RequestCategory
    description: str
    received_on: date | None = strawberry.field(
        default=None, description="The day the enterprise called; today when omitted."
    )


@strawberry.input(description="To one department, or to several for joint handling (会办).")
class ReferRequestInput(MutationInput):
    project_id: strawberry.ID
    request_id: strawberry.ID
    departments: list[str]


@strawberry.input
class ResolveRequestInput(MutationInput):
    project_id: strawberry.ID
    request_id: strawberry.ID
    resolution: str


@strawberry.input
class RateRequestInput(MutationInput):
    project_id: strawberry.ID
    request_id: strawberry.ID
    satisfaction: int = strawberry.field(description="1 (worst) to 5 (best).")


@strawberry.type
class RaiseRequestPayload(ProjectPayload):
    request_id: strawberry.ID


@strawberry.type
class RequestMutations:
    @fields.mutation(
        "Due the category's working days after the day received, on the district's calendar."
    )
    async def raise_request(
        self, info: Info[Context, None], input: RaiseRequestInput
    ) -> RaiseRequestPayload:
        changed = await requests.raise_request(
            application(info),
            command(info, input),
            project_id=parse_id(input.project_id, "projectId"),
            category=input.category,
            description=input.description,
            received_on=input.received_on,
        )
        return RaiseRequestPayload(
            consistency_token=consistency_token(info, changed),
            project_id=changed["project"],
            request_id=to_id(changed["request"]),
        )

    @strawberry.mutation
    async def refer_request(
        self, info: Info[Context, None], input: ReferRequestInput
    ) -> ProjectPayload:
        changed = await requests.refer_request(
            application(info),
            command(info, input),
            project_id=parse_id(input.project_id, "projectId"),
            request_id=parse_id(input.request_id, "requestId"),
            departments=input.departments,
        )
        return project_payload(info, changed)

    @strawberry.mutation
    async def resolve_request(
        self, info: Info[Context, None], input: ResolveRequestInput
    ) -> ProjectPayload:
        changed = await requests.resolve_request(
            application(info),
            command(info, input),
            project_id=parse_id(input.project_id, "projectId"),
            request_id=parse_id(input.request_id, "requestId"),
            resolution=input.resolution,
        )
        return project_payload(info, changed)

    @strawberry.mutation
    async def rate_request(
        self, info: Info[Context, None], input: RateRequestInput
    ) -> ProjectPayload:
        changed = await requests.rate_request(
            application(info),
            command(info, input),
            project_id=parse_id(input.project_id, "projectId"),
            request_id=parse_id(input.request_id, "requestId"),
            satisfaction=input.satisfaction,
        )
        return project_payload(info, changed)
