"""Enterprise: a company served in the district, and its party organisation."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from cso.domain import enterprise as domain
from cso.domain.enums import PartyOrganizationKind as DomainKind
from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.enums import PartyOrganizationKind
from cso.graphql.loaders import batch_by_id, load_by_id
from cso.graphql.types.common import STAMP_READERS, as_is, row_mapper, stamp_row, unprojected
from cso.graphql.types.event import Event, history
from cso.projections import enterprises as read_model

if TYPE_CHECKING:
    from cso.graphql.types.chain import IndustryChain
    from cso.graphql.types.posting import SecretaryPosting

ChainRef = Annotated["IndustryChain", strawberry.lazy("cso.graphql.types.chain")]
PostingRef = Annotated["SecretaryPosting", strawberry.lazy("cso.graphql.types.posting")]


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
    organisation_covered: bool = strawberry.field(
        description="Organisation coverage: it has a party organisation."
    )
    work_covered: bool = strawberry.field(
        description="Work coverage: a party organisation or a posted first secretary."
    )
    chain_id: strawberry.Private[UUID | None]
    active_posting_id: strawberry.Private[UUID | None]

    @fields.field("The active first-secretary posting, if any.")
    async def first_secretary(self, info: Info[Context, None]) -> PostingRef | None:
        from cso.graphql.types.posting import load_posting

        return await load_posting(info.context, self.active_posting_id)

    @strawberry.field
    async def chain(self, info: Info[Context, None]) -> ChainRef | None:
        from cso.graphql.types.chain import load_chain

        return await load_chain(info.context, self.chain_id)

    @strawberry.field
    async def history(self, info: Info[Context, None]) -> list[Event]:
        return await history(info, self.id, self.version)


_KINDS = dict(DomainKind.__members__)

# The coverages are the domain's decisions, stored by the projection.
enterprise_from_row = row_mapper(
    Enterprise,
    {
        **STAMP_READERS,
        **as_is(
            "name",
            "credit_code",
            "district",
            "sme",
            "organisation_covered",
            "work_covered",
            "chain_id",
            "active_posting_id",
        ),
        "park": lambda row: row["park"] or None,
        "party_organization": lambda row: _KINDS[row["party_organization"]],
        "party_member_count": lambda row: int(row["party_member_count"]),  # numeric in the model
        "has_first_secretary": lambda row: row["active_posting_id"] is not None,
    },
)
"""The type's one mapper: from a read-model row (ENTERPRISE_COLUMNS) or `enterprise_row`,
each field read when first asked for (common.row_mapper)."""


def enterprise_row(enterprise: domain.Enterprise) -> dict[str, Any]:
    """An aggregate in the read model's row shape, for the one mapper."""
    return {
        **stamp_row(enterprise),
        "name": enterprise.name,
        "credit_code": enterprise.credit_code,
        "district": enterprise.district,
        "park": enterprise.park,
        "sme": enterprise.sme,
        "party_organization": enterprise.party_organization.value,
        "party_member_count": enterprise.party_member_count,
        "active_posting_id": enterprise.active_posting_id,
        "organisation_covered": enterprise.organisation_covered,
        "work_covered": enterprise.work_covered(),
        "chain_id": enterprise.chain_id,
    }


def enterprise_from_aggregate(enterprise: domain.Enterprise) -> Enterprise:
    return enterprise_from_row(enterprise_row(enterprise))


enterprises_by_id = batch_by_id(
    read_model.enterprises_by_ids,
    enterprise_from_row,
    unprojected(domain.Enterprise, enterprise_from_aggregate),
)


async def load_enterprise(context: Context, enterprise_id: UUID | None) -> Enterprise | None:
    return await load_by_id(context, enterprises_by_id, enterprise_id)
