"""enterprise, enterprises, industryChains."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from cso.domain import chain as chain_domain
from cso.domain import enterprise as domain
from cso.graphql import fields
from cso.graphql.connections import Connection, list_connection
from cso.graphql.context import Context
from cso.graphql.queries.common import (
    NameOrder,
    name_ordering,
    now_or_replayed,
    reader,
    replayer,
    search_pattern,
)
from cso.graphql.scalars import parse_optional_id, parse_optional_text
from cso.graphql.types.chain import (
    IndustryChain,
    chain_from_aggregate,
    chain_from_row,
    chains_by_id,
)
from cso.graphql.types.enterprise import (
    Enterprise,
    enterprise_from_aggregate,
    enterprise_from_row,
    enterprises_by_id,
)
from cso.projections import chains
from cso.projections.enterprises import ENTERPRISES


@strawberry.input
class EnterpriseFilter:
    chain_id: strawberry.ID | None = None
    district: str | None = None
    sme: bool | None = None
    has_party_organization: bool | None = None
    search: str | None = strawberry.field(
        default=None, description="Part of the name or credit code."
    )


@strawberry.type
class EnterpriseQueries:
    @fields.field("The enterprise now; with asOf and/or version, replayed to that point.")
    async def enterprise(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        as_of: datetime | None = None,
        version: int | None = None,
    ) -> Enterprise | None:
        replay = replayer(domain.Enterprise, enterprise_from_aggregate)
        return await now_or_replayed(info, id, enterprises_by_id, replay, as_of, version)

    @strawberry.field
    async def enterprises(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter: EnterpriseFilter | None = None,
        order_by: NameOrder | None = None,
    ) -> Connection[Enterprise]:
        reader(info)
        f = filter or EnterpriseFilter()
        params = [
            parse_optional_id(f.chain_id, "chainId"),
            parse_optional_text(f.district, "district"),
            f.sme,
            f.has_party_organization,
            search_pattern(parse_optional_text(f.search, "search")),
        ]
        order = name_ordering(order_by)
        return await list_connection(
            info.context.db, ENTERPRISES, params, order, first, after, enterprise_from_row
        )

    @fields.field("Every industry chain, by name, with its coverage.")
    async def industry_chains(self, info: Info[Context, None]) -> list[IndustryChain]:
        reader(info)
        return [chain_from_row(row) for row in await chains.all_chains(info.context.db)]

    @fields.field("The chain now; with asOf and/or version, replayed to that point.")
    async def industry_chain(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        as_of: datetime | None = None,
        version: int | None = None,
    ) -> IndustryChain | None:
        replay = replayer(chain_domain.IndustryChain, chain_from_aggregate)
        return await now_or_replayed(info, id, chains_by_id, replay, as_of, version)
