"""enterpriseRequest, enterpriseRequests: the one list of requests, and a department's queue."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from uuid import UUID

import strawberry
from strawberry.types import Info

import cso.graphql.enums  # noqa: F401  (registers the domain's enums, RequestSource among them)
from cso.domain.enums import RequestSource
from cso.graphql import fields
from cso.graphql.connections import Connection, connection
from cso.graphql.context import Context
from cso.graphql.enums import RequestCategory, RequestStatus, SortDirection
from cso.graphql.queries.common import now_or_replayed, ordering_name, reader
from cso.graphql.scalars import parse_optional_id, parse_optional_text
from cso.graphql.types.enterprise_request import (
    EnterpriseRequest,
    enterprise_requests_by_id,
    request_at,
    request_of,
)
from cso.projections.request_queries import REQUESTS


@strawberry.enum(description="What a request list is sorted by; ties go by id.")
class EnterpriseRequestOrderField(Enum):
    DUE_ON = "DUE_ON"
    RECEIVED_ON = "RECEIVED_ON"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"


@strawberry.input(description="Every condition given must hold.")
class EnterpriseRequestFilter:
    department: str | None = strawberry.field(
        default=None, description="A department the request is referred to (lead or co-handler)."
    )
    status: RequestStatus | None = None
    overdue: bool | None = None
    due_soon: bool | None = None
    category: RequestCategory | None = None
    source: RequestSource | None = None
    project_id: strawberry.ID | None = None
    posting_id: strawberry.ID | None = None
    enterprise_id: strawberry.ID | None = None
    district: str | None = strawberry.field(default=None, description="The enterprise's.")
    chain_id: strawberry.ID | None = None


@strawberry.input(description="Sort by a field, then by id; the most urgent first by default.")
class EnterpriseRequestOrder:
    field: EnterpriseRequestOrderField = EnterpriseRequestOrderField.DUE_ON
    direction: SortDirection = SortDirection.ASC


async def _request_at(
    context: Context, key: UUID, version: int | None, as_of: datetime | None
) -> EnterpriseRequest | None:
    return await request_at(context, key, version=version, as_of=as_of)


@strawberry.type
class RequestQueries:
    @fields.field("The request now; with asOf and/or version, replayed to that point.")
    async def enterprise_request(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        as_of: datetime | None = None,
        version: int | None = None,
    ) -> EnterpriseRequest | None:
        return await now_or_replayed(
            info, id, enterprise_requests_by_id, _request_at, as_of, version
        )

    @fields.field("Requests from projects and postings; filter by department for its queue.")
    async def enterprise_requests(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter: EnterpriseRequestFilter | None = None,
        order_by: EnterpriseRequestOrder | None = None,
    ) -> Connection[EnterpriseRequest]:
        reader(info)
        context = info.context
        f = filter or EnterpriseRequestFilter()
        params = [
            parse_optional_text(f.department, "department"),
            f.status.value if f.status else None,
            f.overdue,
            context.runtime.today(),
            f.due_soon,
            f.category.value if f.category else None,
            f.source.value if f.source else None,
            parse_optional_id(f.project_id, "projectId"),
            parse_optional_id(f.posting_id, "postingId"),
            parse_optional_id(f.enterprise_id, "enterpriseId"),
            parse_optional_text(f.district, "district"),
            parse_optional_id(f.chain_id, "chainId"),
        ]
        order = order_by or EnterpriseRequestOrder()
        name = ordering_name(order.field.value, order.direction)
        db = context.db
        page, rows = await REQUESTS.fetch(db, params, name, first, after)

        async def count() -> int:
            return await REQUESTS.count(db, params)

        return connection(page, rows, REQUESTS.orderings[name], request_of, count)
