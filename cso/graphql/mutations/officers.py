"""registerOfficer, changeOfficerRoles, deactivateOfficer (supervisors)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from cso.domain.officer import Officer as OfficerAggregate
from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.enums import OfficerRole
from cso.graphql.mutations.common import ChangedPayload, MutationInput, run, written
from cso.graphql.scalars import parse_id
from cso.graphql.types.officer import Officer, officer_from_aggregate, officers_by_id
from cso.services import officers


@strawberry.input
class RegisterOfficerInput(MutationInput):
    name: str
    department: str
    roles: list[OfficerRole]
    party_member: bool
    phone: str


@strawberry.input
class ChangeOfficerRolesInput(MutationInput):
    officer_id: strawberry.ID
    roles: list[OfficerRole]


@strawberry.input
class DeactivateOfficerInput(MutationInput):
    officer_id: strawberry.ID


@strawberry.type
class OfficerPayload(ChangedPayload):
    @fields.field("The officer after the change; read only when asked for.")
    async def officer(self, info: Info[Context, None]) -> Officer:
        return await written(
            info,
            self.consistency_token,
            self.changed["officer"],
            officers_by_id,
            OfficerAggregate,
            officer_from_aggregate,
        )


@strawberry.type
class OfficerMutations:
    @strawberry.mutation
    async def register_officer(
        self, info: Info[Context, None], input: RegisterOfficerInput
    ) -> OfficerPayload:
        changed = await run(
            info,
            input,
            officers.register_officer,
            name=input.name,
            department=input.department,
            roles=input.roles,
            party_member=input.party_member,
            phone=input.phone,
        )
        return OfficerPayload.of(info, changed)

    @strawberry.mutation
    async def change_officer_roles(
        self, info: Info[Context, None], input: ChangeOfficerRolesInput
    ) -> OfficerPayload:
        changed = await run(
            info,
            input,
            officers.change_officer_roles,
            officer_id=parse_id(input.officer_id, "officerId"),
            roles=input.roles,
        )
        return OfficerPayload.of(info, changed)

    @strawberry.mutation
    async def deactivate_officer(
        self, info: Info[Context, None], input: DeactivateOfficerInput
    ) -> OfficerPayload:
        changed = await run(
            info,
            input,
            officers.deactivate_officer,
            officer_id=parse_id(input.officer_id, "officerId"),
        )
        return OfficerPayload.of(info, changed)
