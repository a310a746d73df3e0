"""Enterprise: a company served in the district, and its party organisation."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import asyncpg
import strawberry
from strawberry.types import Info

from cso.domain import enterprise as domain
from cso.domain.enums import PartyOrganizationKind as DomainKind
from cso.graphql import fields, sql
from cso.graphql.context import Context
from cso.graphql.enums import PartyOrganizationKind
from cso.graphql.loaders import loader
from cso.graphql.scalars import to_id
from cso.graphql.types.common import views_of_unprojected
from cso.graphql.types.event import Event, history

if TYPE_CHECKING:
    from cso.graphql.types.chain import IndustryChain

ChainRef = Annotated["IndustryChain", strawberry.lazy("cso.graphql.types.chain")]


@strawberry.type
class Enterprise:
    id: strawberry.ID
    version: int
    created_at: datetime
    updated_at: datetime
    name: str
    credit_code: str
    district: str
    park: str | None
    sme: bool
    party_organization: PartyOrganizationKind
    party_member_count: int
    has_first_secretary: bool = strawberry.field(
        description="A first secretary is posted to the enterprise now."
    )
    chain_id: strawberry.Private[UUID | None]

    @fields.field("Organisation coverage: it has a party organisation.")
    def organisation_covered(self) -> bool:
        return self.party_organization is not DomainKind.NONE

    @fields.field("Work coverage: a party organisation or a posted first secretary.")
    def work_covered(self) -> bool:
        return self.organisation_covered() or self.has_first_secretary

    @strawberry.field
    async def chain(self, info: Info[Context, None]) -> ChainRef | None:
        from cso.graphql.types.chain import load_chain

        return await load_chain(info.context, self.chain_id)

    @strawberry.field
    async def history(self, info: Info[Context, None]) -> list[Event]:
        return await history(info, self.id, self.version)


def enterprise_from_row(row: asyncpg.Record) -> Enterprise:
    return Enterprise(
        id=to_id(row["id"]),
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        name=row["name"],
        credit_code=row["credit_code"],
        district=row["district"],
        park=row["park"] or None,
        sme=row["sme"],
        party_organization=DomainKind[row["party_organization"]],
        party_member_count=int(row["party_member_count"]),  # numeric in the read model
        has_first_secretary=row["active_posting_id"] is not None,
        chain_id=row["chain_id"],
    )


def enterprise_from_aggregate(enterprise: domain.Enterprise) -> Enterprise:
    return Enterprise(
        id=to_id(enterprise.id),
        version=enterprise.version,
        created_at=enterprise.created_on,
        updated_at=enterprise.modified_on,
        name=enterprise.name,
        credit_code=enterprise.credit_code,
        district=enterprise.district,
        park=enterprise.park,
        sme=enterprise.sme,
        party_organization=enterprise.party_organization,
        party_member_count=enterprise.party_member_count,
        has_first_secretary=enterprise.active_posting_id is not None,
        chain_id=enterprise.chain_id,
    )


async def enterprises_by_id(context: Context, ids: list[UUID]) -> list[Enterprise | None]:
    rows = await context.db.fetch(sql.ENTERPRISES_BY_ID, ids)
    found: dict[UUID, Enterprise] = {row["id"]: enterprise_from_row(row) for row in rows}
    found |= await views_of_unprojected(
        context, ids, found, domain.Enterprise, enterprise_from_aggregate
    )
    return [found.get(enterprise_id) for enterprise_id in ids]


async def load_enterprise(context: Context, enterprise_id: UUID | None) -> Enterprise | None:
    if enterprise_id is None:
        return None
    return await loader(context, enterprises_by_id).load(enterprise_id)
