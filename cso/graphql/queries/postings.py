"""secretaryPosting (now, or replayed) and secretaryPostings."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from uuid import UUID

import strawberry
from strawberry.types import Info

from cso.domain.secretary_posting import SecretaryPosting as PostingAggregate
from cso.graphql import fields
from cso.graphql.connections import Connection, list_connection
from cso.graphql.context import Context
from cso.graphql.enums import SortDirection
from cso.graphql.queries.common import now_or_replayed, ordering_name, reader
from cso.graphql.scalars import parse_optional_id
from cso.graphql.types.common import view_aggregate
from cso.graphql.types.posting import (
    SecretaryPosting,
    posting_from_row,
    posting_replayed,
    postings_by_id,
)
from cso.projections.postings import POSTINGS


@strawberry.input(description="Every condition given must hold.")
class SecretaryPostingFilter:
    active: bool | None = None
    chain_id: strawberry.ID | None = None
    enterprise_id: strawberry.ID | None = None
    officer_id: strawberry.ID | None = None
    term_ends_before: date | None = strawberry.field(
        default=None, description="Postings whose term ends before this day."
    )


@strawberry.enum(description="What a posting list is sorted by; ties go by id.")
class SecretaryPostingOrderField(Enum):
    CREATED_AT = "CREATED_AT"
    TERM_END = "TERM_END"


@strawberry.input(description="Sort by a field, then by id.")
class SecretaryPostingOrder:
    field: SecretaryPostingOrderField = SecretaryPostingOrderField.CREATED_AT
    direction: SortDirection = SortDirection.ASC


async def _posting_at(
    context: Context, key: UUID, version: int | None, as_of: datetime | None
) -> SecretaryPosting | None:
    return await view_aggregate(
        context, key, PostingAggregate, posting_replayed, version=version, as_of=as_of
    )


@strawberry.type
class PostingQueries:
    @fields.field("The posting now; with asOf and/or version, replayed to that point.")
    async def secretary_posting(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        as_of: datetime | None = None,
        version: int | None = None,
    ) -> SecretaryPosting | None:
        return await now_or_replayed(info, id, postings_by_id, _posting_at, as_of, version)

    @fields.field("First-secretary postings, filtered by chain, enterprise, officer, term.")
    async def secretary_postings(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter: SecretaryPostingFilter | None = None,
        order_by: SecretaryPostingOrder | None = None,
    ) -> Connection[SecretaryPosting]:
        reader(info)
        f = filter or SecretaryPostingFilter()
        params = [
            f.active,
            parse_optional_id(f.chain_id, "chainId"),
            parse_optional_id(f.enterprise_id, "enterpriseId"),
            parse_optional_id(f.officer_id, "officerId"),
            f.term_ends_before,
        ]
        order = order_by or SecretaryPostingOrder()
        name = ordering_name(order.field.value, order.direction)
        return await list_connection(
            info.context.db, POSTINGS, params, name, first, after, posting_from_row
        )
