"""enterprise, enterprises, industryChains."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from cso.graphql import fields
from cso.graphql.connections import Connection, list_connection
from cso.graphql.context import Context
from cso.graphql.queries.common import NameOrder, name_ordering, reader, search_pattern
from cso.graphql.scalars import parse_id, parse_optional_id, parse_optional_text
from cso.graphql.types.chain import IndustryChain, chain_from_row, load_chain
from cso.graphql.types.enterprise import Enterprise, enterprise_from_row, load_enterprise
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
    @strawberry.field
    async def enterprise(self, info: Info[Context, None], id: strawberry.ID) -> Enterprise | None:
        reader(info)
        return await load_enterprise(info.context, parse_id(id, "id"))

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

    @strawberry.field
    async def industry_chain(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> IndustryChain | None:
        reader(info)
        return await load_chain(info.context, parse_id(id, "id"))
