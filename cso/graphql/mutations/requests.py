"""raiseRequest, referRequest, resolveRequest, rateRequest (the project's CSO, supervisors);
returnRequest (a referred department's officer)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from cso.domain.secretary_posting import SecretaryPosting as PostingAggregate
from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.enums import RequestCategory
from cso.graphql.mutations.common import (
    MutationInput,
    application,
    command,
    consistency_token,
    written,
)
from cso.graphql.mutations.projects import written_project
from cso.graphql.scalars import parse_id, parse_optional_id, to_id
from cso.graphql.types.enterprise_request import EnterpriseRequest, load_written_request
from cso.graphql.types.posting import SecretaryPosting, posting_from_aggregate, postings_by_id
from cso.graphql.types.project import Project
from cso.services import requests
from cso.services.application import Changed


@strawberry.input(description="A request on the project, due the category's working days later.")
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


@strawberry.input(
    description="The answer: the case officer, a referred department or a supervisor."
)
class ResolveRequestInput(MutationInput):
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="Optional: the request id names it; when given, it must match."
    )
    request_id: strawberry.ID
    resolution: str


@strawberry.input(description="The enterprise's rating of the answer; 1 or 2 reopens it (a redo).")
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


@strawberry.type(description="The request after the change.")
class ReturnRequestPayload:
    consistency_token: str
    request_key: strawberry.Private[UUID]

    @fields.field("The request after the change, once the read models include it.")
    async def request(self, info: Info[Context, None]) -> EnterpriseRequest | None:
        return await load_written_request(info.context, self.consistency_token, self.request_key)


@strawberry.type(description="The request after the change.")
class ExtendRequestDeadlinePayload(ReturnRequestPayload):
    """The same shape as returnRequest's: the request after the change."""


@strawberry.type(description="The request and the case it was raised on, after the change.")
class RequestPayload(ReturnRequestPayload):
    """The request and the case it was raised on (a project or a posting), after the change."""

    project_id: strawberry.Private[UUID | None]
    posting_id: strawberry.Private[UUID | None] = None

    @fields.field("The project after the change; null for a problem logged on a posting.")
    async def project(self, info: Info[Context, None]) -> Project | None:
        if self.project_id is None:
            return None
        return await written_project(info, self.consistency_token, self.project_id)

    @fields.field("The posting after the change; null for a request raised on a project.")
    async def posting(self, info: Info[Context, None]) -> SecretaryPosting | None:
        if self.posting_id is None:
            return None
        return await written(
            info,
            self.consistency_token,
            self.posting_id,
            postings_by_id,
            PostingAggregate,
            posting_from_aggregate,
        )


@strawberry.type(description="The new request's id, and the request and project after the change.")
class RaiseRequestPayload(RequestPayload):
    request_id: strawberry.ID


def request_payload(info: Info[Context, None], changed: Changed) -> RequestPayload:
    return RequestPayload(
        consistency_token=consistency_token(info, changed),
        request_key=changed["request"],
        project_id=changed.ids.get("project"),
        posting_id=changed.ids.get("posting"),
    )


def request_keys(project_id: strawberry.ID | None, request_id: strawberry.ID) -> dict[str, Any]:
    """`project_id` (optional: when given, the request's project) and `request_id`."""
    return {
        "project_id": parse_optional_id(project_id, "projectId"),
        "request_id": parse_id(request_id, "requestId"),
    }


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
            request_key=changed["request"],
            request_id=to_id(changed["request"]),
        )

    @fields.mutation("The case officer; the first department leads, the others co-handle.")
    async def refer_request(
        self, info: Info[Context, None], input: ReferRequestInput
    ) -> RequestPayload:
        changed = await requests.refer_request(
            application(info),
            command(info, input),
            **request_keys(input.project_id, input.request_id),
            departments=input.departments,
        )
        return request_payload(info, changed)

    @fields.mutation("The case officer, an officer of a department it is referred to.")
    async def resolve_request(
        self, info: Info[Context, None], input: ResolveRequestInput
    ) -> RequestPayload:
        changed = await requests.resolve_request(
            application(info),
            command(info, input),
            **request_keys(input.project_id, input.request_id),
            resolution=input.resolution,
        )
        return request_payload(info, changed)

    @fields.mutation("The case officer; a rating of 1 or 2 reopens it (a redo).")
    async def rate_request(
        self, info: Info[Context, None], input: RateRequestInput
    ) -> RequestPayload:
        changed = await requests.rate_request(
            application(info),
            command(info, input),
            **request_keys(input.project_id, input.request_id),
            satisfaction=input.satisfaction,
        )
        return request_payload(info, changed)

    @fields.mutation("An officer of a department it is referred to; OPEN again.")
    async def return_request(
        self, info: Info[Context, None], input: ReturnRequestInput
    ) -> ReturnRequestPayload:
        changed = await requests.return_request(
            application(info),
            command(info, input),
            request_id=parse_id(input.request_id, "requestId"),
        )
        return ReturnRequestPayload(
            consistency_token=consistency_token(info, changed), request_key=changed["request"]
        )

    @fields.mutation("Supervisors; the new due date and its calendar are recorded.")
    async def extend_request_deadline(
        self, info: Info[Context, None], input: ExtendRequestDeadlineInput
    ) -> ExtendRequestDeadlinePayload:
        changed = await requests.extend_request_deadline(
            application(info),
            command(info, input),
            request_id=parse_id(input.request_id, "requestId"),
            working_days=input.working_days,
        )
        return ExtendRequestDeadlinePayload(
            consistency_token=consistency_token(info, changed), request_key=changed["request"]
        )
