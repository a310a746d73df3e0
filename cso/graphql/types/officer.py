"""Officer: a cadre who can serve as CSO, CASO or first secretary."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import strawberry
from strawberry.types import Info

from cso.domain import officer as domain
from cso.domain.enums import OfficerRole as DomainRole
from cso.graphql import fields, sql
from cso.graphql.context import Context
from cso.graphql.enums import OfficerRole
from cso.graphql.loaders import loader
from cso.graphql.privacy import mask_phone, may_read_personal_data
from cso.graphql.scalars import to_id
from cso.graphql.types.common import views_of_unprojected
from cso.graphql.types.event import Event, history


@strawberry.type
class Officer:
    id: strawberry.ID
    version: int
    created_at: datetime
    updated_at: datetime
    name: str
    department: str
    roles: list[OfficerRole]
    party_member: bool
    active: bool
    full_phone: strawberry.Private[str]

    @fields.field("Personal data: masked (138****5678) for viewers and for other officers.")
    def phone(self, info: Info[Context, None]) -> str:
        if may_read_personal_data(info.context.viewer, UUID(self.id)):
            return self.full_phone
        return mask_phone(self.full_phone)

    @strawberry.field
    async def history(self, info: Info[Context, None]) -> list[Event]:
        return await history(info, self.id, self.version)


def officer_from_row(row: asyncpg.Record) -> Officer:
    return Officer(
        id=to_id(row["id"]),
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        name=row["name"],
        department=row["department"],
        roles=[DomainRole[role] for role in row["roles"]],
        party_member=row["party_member"],
        active=row["active"],
        full_phone=row["phone"],
    )


def officer_from_aggregate(officer: domain.Officer) -> Officer:
    return Officer(
        id=to_id(officer.id),
        version=officer.version,
        created_at=officer.created_on,
        updated_at=officer.modified_on,
        name=officer.name,
        department=officer.department,
        roles=officer.roles,
        party_member=officer.party_member,
        active=officer.active,
        full_phone=officer.phone,
    )


async def officers_by_id(context: Context, ids: list[UUID]) -> list[Officer | None]:
    rows = await context.db.fetch(sql.OFFICERS_BY_ID, ids)
    found: dict[UUID, Officer] = {row["id"]: officer_from_row(row) for row in rows}
    found |= await views_of_unprojected(context, ids, found, domain.Officer, officer_from_aggregate)
    return [found.get(officer_id) for officer_id in ids]


async def load_officer(context: Context, officer_id: UUID | None) -> Officer | None:
    if officer_id is None:
        return None
    return await loader(context, officers_by_id).load(officer_id)
