"""raiseRequest, referRequest, resolveRequest, rateRequest (the project's CSO, supervisors);
returnRequest (a referred department's officer)."""

from __future__ import annotations

import contextlib
from datetime import date
from uuid import UUID

import strawberry
from strawberry.types import Info

from cso.graphql import fields
from cso.graphql.consistency import WAIT_SECONDS
from cso.graphql.context import Context
from cso.graphql.enums import RequestCategory
from cso.graphql.loaders import loader
from cso.graphql.mutations.common import (
    MutationInput,
    application,
    command,
    consistency_token,
)
from cso.graphql.mutations.projects import ProjectPayload, project_payload
from cso.graphql.scalars import parse_id, to_id
from cso.graphql.types.project_parts import (
    EnterpriseRequest,
    enterprise_requests_by_id,
    load_enterprise_request,
)
from cso.services import requests
from cso.services.errors import NotFound


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
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="Optional: the request id names it; when given, it must match."
    )
    request_id: strawberry.ID
    departments: list[str]


@strawberry.input
class ResolveRequestInput(MutationInput):
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="Optional: the request id names it; when given, it must match."
    )
    request_id: strawberry.ID
    resolution: str


@strawberry.input
class RateRequestInput(MutationInput):
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="Optional: the request id names it; when given, it must match."
    )
    request_id: strawberry.ID
    satisfaction: int = strawberry.field(description="1 (worst) to 5 (best).")


@strawberry.input(description="Back from a department it is referred to (退回); reason required.")
class ReturnRequestInput(MutationInput):
    request_id: strawberry.ID


@strawberry.input(description="Move the due date by working days; supervisors, reason required.")
class ExtendRequestDeadlineInput(MutationInput):
    request_id: strawberry.ID
    working_days: int = strawberry.field(description="1 to 30, on the district's calendar.")


@strawberry.type
class RaiseRequestPayload(ProjectPayload):
    request_id: strawberry.ID


@strawberry.type
class ReturnRequestPayload:
    consistency_token: str
    request_id: strawberry.Private[UUID]

    @fields.field("The request after the change, once the read models include it.")
    async def request(self, info: Info[Context, None]) -> EnterpriseRequest | None:
        context = info.context
        await context.runtime.projections.wait_for(self.consistency_token, WAIT_SECONDS)
        # An earlier read in this operation may have cached the request before the change.
        with contextlib.suppress(KeyError):
            loader(context, enterprise_requests_by_id).clear(self.request_id)
        return await load_enterprise_request(context, self.request_id)


@strawberry.type
class ExtendRequestDeadlinePayload(ReturnRequestPayload):
    """The same shape as returnRequest's: the request after the change."""


async def project_of_request(info: Info[Context, None], request_id: UUID) -> UUID:
    """The project a request was raised on, from the requests read model. Raises NotFound.

    A request raised a moment ago may not be there yet: a miss waits (at most WAIT_SECONDS)
    for the read models to reach the log's head, then looks once more.
    """
    context = info.context
    found = await load_enterprise_request(context, request_id)
    if found is None:
        head = await context.runtime.store.head()
        if await context.runtime.projections.wait_for(head.token(), WAIT_SECONDS):
            with contextlib.suppress(KeyError):
                loader(context, enterprise_requests_by_id).clear(request_id)
            found = await load_enterprise_request(context, request_id)
    if found is None:
        raise NotFound(f"no request {request_id}")
    return found.project_id


async def request_keys(
    info: Info[Context, None], project_id: strawberry.ID | None, request_id: strawberry.ID
) -> dict[str, UUID]:
    """`project_id` and `request_id` for a use case. A given projectId is used as is (the
    project must hold the request: INVALID_INPUT otherwise); an omitted one is the request's,
    from the read model (NOT_FOUND when there is no such request)."""
    parsed = parse_id(request_id, "requestId")
    if project_id is not None:
        return {"project_id": parse_id(project_id, "projectId"), "request_id": parsed}
    return {"project_id": await project_of_request(info, parsed), "request_id": parsed}


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
            **await request_keys(info, input.project_id, input.request_id),
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
            **await request_keys(info, input.project_id, input.request_id),
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
            **await request_keys(info, input.project_id, input.request_id),
            satisfaction=input.satisfaction,
        )
        return project_payload(info, changed)

    @fields.mutation("An officer of a department it is referred to; OPEN again.")
    async def return_request(
        self, info: Info[Context, None], input: ReturnRequestInput
    ) -> ReturnRequestPayload:
        request_id = parse_id(input.request_id, "requestId")
        changed = await requests.return_request(
            application(info),
            command(info, input),
            project_id=await project_of_request(info, request_id),
            request_id=request_id,
        )
        return ReturnRequestPayload(
            consistency_token=consistency_token(info, changed), request_id=changed["request"]
        )

    @fields.mutation("Supervisors; the new due date and its calendar are recorded.")
    async def extend_request_deadline(
        self, info: Info[Context, None], input: ExtendRequestDeadlineInput
    ) -> ExtendRequestDeadlinePayload:
        request_id = parse_id(input.request_id, "requestId")
        changed = await requests.extend_request_deadline(
            application(info),
            command(info, input),
            project_id=await project_of_request(info, request_id),
            request_id=request_id,
            working_days=input.working_days,
        )
        return ExtendRequestDeadlinePayload(
            consistency_token=consistency_token(info, changed), request_id=changed["request"]
        )
