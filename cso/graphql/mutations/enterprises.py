"""establishChain, designateChainMaster, registerEnterprise, recordPartyOrganization."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from cso.domain.chain import IndustryChain as ChainAggregate
from cso.domain.enterprise import Enterprise as EnterpriseAggregate
from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.enums import PartyOrganizationKind
from cso.graphql.mutations.common import ChangedPayload, MutationInput, run, written
from cso.graphql.scalars import parse_id, parse_optional_id
from cso.graphql.types.chain import IndustryChain, chain_from_aggregate, chains_by_id
from cso.graphql.types.enterprise import Enterprise, enterprise_from_aggregate, enterprises_by_id
from cso.services import enterprises


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
class ChainPayload(ChangedPayload):
    @fields.field("The chain after the change; read only when asked for.")
    async def chain(self, info: Info[Context, None]) -> IndustryChain:
        return await written(
            info,
            self.consistency_token,
            self.changed["chain"],
            chains_by_id,
            ChainAggregate,
            chain_from_aggregate,
        )


@strawberry.type
class EnterprisePayload(ChangedPayload):
    @fields.field("The enterprise after the change; read only when asked for.")
    async def enterprise(self, info: Info[Context, None]) -> Enterprise:
        return await written(
            info,
            self.consistency_token,
            self.changed["enterprise"],
            enterprises_by_id,
            EnterpriseAggregate,
            enterprise_from_aggregate,
        )


@strawberry.type
class EnterpriseMutations:
    @fields.mutation("Supervisors.")
    async def establish_chain(
        self, info: Info[Context, None], input: EstablishChainInput
    ) -> ChainPayload:
        changed = await run(
            info,
            input,
            enterprises.establish_chain,
            name=input.name,
            leader=input.leader,
            lead_department=input.lead_department,
        )
        return ChainPayload.of(info, changed)

    @fields.mutation("Supervisors.")
    async def designate_chain_master(
        self, info: Info[Context, None], input: DesignateChainMasterInput
    ) -> ChainPayload:
        changed = await run(
            info,
            input,
            enterprises.designate_chain_master,
            chain_id=parse_id(input.chain_id, "chainId"),
            enterprise_id=parse_id(input.enterprise_id, "enterpriseId"),
        )
        return ChainPayload.of(info, changed)

    @fields.mutation("Officers and supervisors.")
    async def register_enterprise(
        self, info: Info[Context, None], input: RegisterEnterpriseInput
    ) -> EnterprisePayload:
        changed = await run(
            info,
            input,
            enterprises.register_enterprise,
            name=input.name,
            credit_code=input.credit_code,
            district=input.district,
            park=input.park,
            sme=input.sme,
            chain_id=parse_optional_id(input.chain_id, "chainId"),
        )
        return EnterprisePayload.of(info, changed)

    @fields.mutation("Supervisors.")
    async def record_party_organization(
        self, info: Info[Context, None], input: RecordPartyOrganizationInput
    ) -> EnterprisePayload:
        changed = await run(
            info,
            input,
            enterprises.record_party_organization,
            enterprise_id=parse_id(input.enterprise_id, "enterpriseId"),
            kind=input.kind,
            member_count=input.member_count,
        )
        return EnterprisePayload.of(info, changed)
