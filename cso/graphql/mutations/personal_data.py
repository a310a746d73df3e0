"""eraseOfficerPersonalData (supervisors); an applicant's is erasePersonalData (housing)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.mutations.common import MutationInput, run
from cso.graphql.mutations.officers import OfficerPayload
from cso.graphql.scalars import parse_id
from cso.services import officers


@strawberry.input
class EraseOfficerPersonalDataInput(MutationInput):
    officer_id: strawberry.ID


@strawberry.type
class PersonalDataMutations:
    @fields.mutation("Supervisors: destroys the officer's key; their phone reads [erased].")
    async def erase_officer_personal_data(
        self, info: Info[Context, None], input: EraseOfficerPersonalDataInput
    ) -> OfficerPayload:
        changed = await run(
            info,
            input,
            officers.erase_officer_personal_data,
            officer_id=parse_id(input.officer_id, "officerId"),
        )
        return OfficerPayload.of(info, changed)
