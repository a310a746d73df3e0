"""establishChain, designateChainMaster, registerEnterprise, recordPartyOrganization."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from cso.domain.chain import IndustryChain as ChainAggregate
from cso.domain.enterprise import Enterprise as EnterpriseAggregate
from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.enums import PartyOrganizationKind
from cso.graphql.mutations.common import (
    MutationInput,
    application,
    command,
    consistency_token,
    fresh,
)
from cso.graphql.scalars import parse_id, parse_optional_id
from cso.graphql.types.chain import IndustryChain, chain_from_aggregate
from cso.graphql.types.enterprise import Enterprise, enterprise_from_aggregate
from cso.services import enterprises
from cso.services.application import Changed


@strawberry.input
class EstablishChainInput(MutationInput):
    name: str
    leader: str
    lead_department: str


@strawberry.input
class DesignateChainMasterInput(MutationInput):
    chain_id: strawberry.ID
    enterprise_id: strawberry.ID


@strawberry.input
class RegisterEnterpriseInput(MutationInput):
    name: str
    credit_code: str
    district: str
    park: str | None = None
    sme: bool
    chain_id: strawberry.ID | None = None


@strawberry.input
class RecordPartyOrganizationInput(MutationInput):
    enterprise_id: strawberry.ID
    kind: PartyOrganizationKind
    member_count: int


@strawberry.type
class ChainPayload:
    chain: IndustryChain
    consistency_token: str


@strawberry.type
class EnterprisePayload:
    enterprise: Enterprise
    consistency_token: str


async def _chain(info: Info[Context, None], changed: Changed) -> ChainPayload:
    chain = await fresh(info, changed["chain"], ChainAggregate, chain_from_aggregate)
    return ChainPayload(chain=chain, consistency_token=consistency_token(info, changed))


async def _enterprise(info: Info[Context, None], changed: Changed) -> EnterprisePayload:
    enterprise = await fresh(
        info, changed["enterprise"], EnterpriseAggregate, enterprise_from_aggregate
    )
    return EnterprisePayload(
        enterprise=enterprise, consistency_token=consistency_token(info, changed)
    )


@strawberry.type
class EnterpriseMutations:
    @fields.mutation("Supervisors.")
    async def establish_chain(
        self, info: Info[Context, None], input: EstablishChainInput
    ) -> ChainPayload:
        changed = await enterprises.establish_chain(
            application(info),
            command(info, input),
            name=input.name,
            leader=input.leader,
            lead_department=input.lead_department,
        )
        return await _chain(info, changed)

    @fields.mutation("Supervisors.")
    async def designate_chain_master(
        self, info: Info[Context, None], input: DesignateChainMasterInput
    ) -> ChainPayload:
        changed = await enterprises.designate_chain_master(
            application(info),
            command(info, input),
            chain_id=parse_id(input.chain_id, "chainId"),
            enterprise_id=parse_id(input.enterprise_id, "enterpriseId"),
        )
        return await _chain(info, changed)

    @fields.mutation("Officers and supervisors.")
    async def register_enterprise(
        self, info: Info[Context, None], input: RegisterEnterpriseInput
    ) -> EnterprisePayload:
        changed = await enterprises.register_enterprise(
            application(info),
            command(info, input),
            name=input.name,
            credit_code=input.credit_code,
            district=input.district,
            park=input.park,
            sme=input.sme,
            chain_id=parse_optional_id(input.chain_id, "chainId"),
        )
        return await _enterprise(info, changed)

    @fields.mutation("Supervisors.")
    async def record_party_organization(
        self, info: Info[Context, None], input: RecordPartyOrganizationInput
    ) -> EnterprisePayload:
        changed = await enterprises.record_party_organization(
            application(info),
            command(info, input),
            enterprise_id=parse_id(input.enterprise_id, "enterpriseId"),
            kind=input.kind,
            member_count=input.member_count,
        )
        return await _enterprise(info, changed)
