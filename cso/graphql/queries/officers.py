"""officer, officers."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from cso.graphql.connections import Connection, list_connection
from cso.graphql.context import Context
from cso.graphql.enums import OfficerRole
from cso.graphql.queries.common import NameOrder, name_ordering, reader
from cso.graphql.scalars import parse_id, parse_optional_text
from cso.graphql.types.officer import Officer, load_officer, officer_from_row
from cso.projections.officers import OFFICERS


@strawberry.input
class OfficerFilter:
    role: OfficerRole | None = None
    department: str | None = None
    active: bool | None = None


@strawberry.type
class OfficerQueries:
    @strawberry.field
    async def officer(self, info: Info[Context, None], id: strawberry.ID) -> Officer | None:
        reader(info)
        return await load_officer(info.context, parse_id(id, "id"))

    @strawberry.field
    async def officers(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter: OfficerFilter | None = None,
        order_by: NameOrder | None = None,
    ) -> Connection[Officer]:
        reader(info)
        f = filter or OfficerFilter()
        params = [
            f.role.value if f.role else None,
            parse_optional_text(f.department, "department"),
            f.active,
        ]
        order = name_ordering(order_by)
        return await list_connection(
            info.context.db, OFFICERS, params, order, first, after, officer_from_row
        )
