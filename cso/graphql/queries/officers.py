"""officer, officers."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from cso.domain import officer as domain
from cso.graphql import fields
from cso.graphql.connections import Connection, list_connection
from cso.graphql.context import Context
from cso.graphql.enums import OfficerRole
from cso.graphql.queries.common import (
    NameOrder,
    name_ordering,
    now_or_replayed,
    reader,
    replayer,
)
from cso.graphql.scalars import parse_optional_text
from cso.graphql.types.officer import (
    Officer,
    officer_from_aggregate,
    officer_from_row,
    officers_by_id,
)
from cso.projections.officers import OFFICERS


@strawberry.input
class OfficerFilter:
    role: OfficerRole | None = None
    department: str | None = None
    active: bool | None = None


@strawberry.type
class OfficerQueries:
    @fields.field("The officer now; with asOf and/or version, replayed to that point.")
    async def officer(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        as_of: datetime | None = None,
        version: int | None = None,
    ) -> Officer | None:
        replay = replayer(domain.Officer, officer_from_aggregate)
        return await now_or_replayed(info, id, officers_by_id, replay, as_of, version)

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
