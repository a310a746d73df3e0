"""Officer: a cadre who can serve as CSO, CASO or first secretary."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from cso.domain import officer as domain
from cso.domain.enums import OfficerRole as DomainRole
from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.enums import OfficerRole
from cso.graphql.loaders import batch_by_id, load_by_id
from cso.graphql.personal_data import reveal
from cso.graphql.privacy import mask_phone, may_read_personal_data
from cso.graphql.types.common import STAMP_READERS, as_is, row_mapper, stamp_row, unprojected
from cso.graphql.types.event import Event, history
from cso.projections import officers as read_model

if TYPE_CHECKING:
    from cso.graphql.types.posting import SecretaryPosting

PostingRef = Annotated["SecretaryPosting", strawberry.lazy("cso.graphql.types.posting")]


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
    active_posting_id: strawberry.Private[UUID | None]

    @fields.field(
        "Personal data: masked (138****5678) but for the officer, supervisors and auditors, "
        "whose reads are logged first; [erased] after erasure."
    )
    async def phone(self, info: Info[Context, None]) -> str:
        officer_id = UUID(self.id)
        return await reveal(
            info.context,
            officer_id,
            "Officer",
            "phone",
            self.full_phone,
            unmasked=may_read_personal_data(info.context.viewer, officer_id),
            mask=mask_phone,
        )

    @fields.field("The officer's active first-secretary posting, if any.")
    async def active_posting(self, info: Info[Context, None]) -> PostingRef | None:
        from cso.graphql.types.posting import load_posting

        return await load_posting(info.context, self.active_posting_id)

    @strawberry.field
    async def history(self, info: Info[Context, None]) -> list[Event]:
        return await history(info, self.id, self.version)


_ROLES = dict(DomainRole.__members__)

officer_from_row = row_mapper(
    Officer,
    {
        **STAMP_READERS,
        **as_is("name", "department", "party_member", "active", "active_posting_id"),
        "roles": lambda row: [_ROLES[role] for role in row["roles"]],
        "full_phone": lambda row: row["phone"],
    },
)
"""The type's one mapper: from a read-model row (OFFICER_COLUMNS) or `officer_row`, each
field read when first asked for (common.row_mapper)."""


def officer_row(officer: domain.Officer) -> dict[str, Any]:
    """An aggregate in the read model's row shape, for the one mapper."""
    return {
        **stamp_row(officer),
        "name": officer.name,
        "department": officer.department,
        "roles": [role.value for role in officer.roles],
        "party_member": officer.party_member,
        "active": officer.active,
        "phone": officer.phone,
        "active_posting_id": officer.active_posting_id,
    }


def officer_from_aggregate(officer: domain.Officer) -> Officer:
    return officer_from_row(officer_row(officer))


officers_by_id = batch_by_id(
    read_model.officers_by_ids,
    officer_from_row,
    unprojected(domain.Officer, officer_from_aggregate),
)


async def load_officer(context: Context, officer_id: UUID | None) -> Officer | None:
    return await load_by_id(context, officers_by_id, officer_id)
