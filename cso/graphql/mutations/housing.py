"""Talent housing: listHousingUnit, applyForHousing, assignCaso, the decision, allocation,
move-in and move-out, renewLease."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import strawberry
from strawberry.types import Info

from cso.domain.enums import TalentTier
from cso.domain.housing_application import HousingApplication as ApplicationAggregate
from cso.domain.housing_unit import HousingUnit as UnitAggregate
from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.mutations.common import (
    MutationInput,
    application,
    command,
    consistency_token,
    written,
)
from cso.graphql.scalars import parse_id
from cso.graphql.types.housing import (
    HousingApplication,
    HousingUnit,
    application_from_aggregate,
    applications_by_id,
    unit_from_aggregate,
    units_by_id,
)
from cso.services import housing
from cso.services.application import Changed


@strawberry.input
class ListHousingUnitInput(MutationInput):
    building: str
    unit_no: str
    rooms: int
    area_sqm: Decimal
    monthly_rent: Decimal = strawberry.field(description='In yuan a month, e.g. "2300.00".')


@strawberry.input
class ApplyForHousingInput(MutationInput):
    applicant_name: str
    id_number: str = strawberry.field(description="18 characters; GB 11643 check character.")
    phone: str
    employer_id: strawberry.ID
    tier: TalentTier
    household_size: int


@strawberry.input(description="Assigns the CASO, or replaces the current one.")
class AssignCasoInput(MutationInput):
    application_id: strawberry.ID
    officer_id: strawberry.ID


@strawberry.input
class ApproveHousingApplicationInput(MutationInput):
    application_id: strawberry.ID


@strawberry.input(description="The reason is required.")
class RejectHousingApplicationInput(MutationInput):
    application_id: strawberry.ID


@strawberry.input(
    description="A reason is required when an earlier application on the waitlist also fits."
)
class AllocateHousingUnitInput(MutationInput):
    application_id: strawberry.ID
    unit_id: strawberry.ID
    lease_end: date


@strawberry.input
class RecordMoveInput(MutationInput):
    application_id: strawberry.ID
    on: date


@strawberry.input
class RenewLeaseInput(MutationInput):
    application_id: strawberry.ID
    lease_end: date


@strawberry.input(description="Supervisors: the applicant's data becomes unreadable, for good.")
class ErasePersonalDataInput(MutationInput):
    application_id: strawberry.ID


@strawberry.type
class HousingUnitPayload:
    consistency_token: str
    unit_id: strawberry.Private[UUID]

    @fields.field("The unit after the change; read only when asked for.")
    async def unit(self, info: Info[Context, None]) -> HousingUnit:
        return await written(
            info,
            self.consistency_token,
            self.unit_id,
            units_by_id,
            UnitAggregate,
            unit_from_aggregate,
        )


@strawberry.type
class HousingApplicationPayload:
    consistency_token: str
    application_id: strawberry.Private[UUID]

    @fields.field("The application after the change; read only when asked for.")
    async def application(self, info: Info[Context, None]) -> HousingApplication:
        return await written(
            info,
            self.consistency_token,
            self.application_id,
            applications_by_id,
            ApplicationAggregate,
            application_from_aggregate,
        )


@strawberry.type
class HousingTenancyPayload(HousingApplicationPayload):
    unit_id: strawberry.Private[UUID]

    @fields.field("The unit after the change; read only when asked for.")
    async def unit(self, info: Info[Context, None]) -> HousingUnit:
        return await written(
            info,
            self.consistency_token,
            self.unit_id,
            units_by_id,
            UnitAggregate,
            unit_from_aggregate,
        )


def _application(info: Info[Context, None], changed: Changed) -> HousingApplicationPayload:
    return HousingApplicationPayload(
        consistency_token=consistency_token(info, changed), application_id=changed["application"]
    )


def _tenancy(info: Info[Context, None], changed: Changed) -> HousingTenancyPayload:
    return HousingTenancyPayload(
        consistency_token=consistency_token(info, changed),
        application_id=changed["application"],
        unit_id=changed["unit"],
    )


@strawberry.type
class HousingMutations:
    @fields.mutation("Supervisors. The unit number is unique in its building.")
    async def list_housing_unit(
        self, info: Info[Context, None], input: ListHousingUnitInput
    ) -> HousingUnitPayload:
        changed = await housing.list_housing_unit(
            application(info),
            command(info, input),
            building=input.building,
            unit_no=input.unit_no,
            rooms=input.rooms,
            area_sqm=input.area_sqm,
            monthly_rent=input.monthly_rent,
        )
        return HousingUnitPayload(
            consistency_token=consistency_token(info, changed), unit_id=changed["unit"]
        )

    @fields.mutation("Officers and supervisors.")
    async def apply_for_housing(
        self, info: Info[Context, None], input: ApplyForHousingInput
    ) -> HousingApplicationPayload:
        changed = await housing.apply_for_housing(
            application(info),
            command(info, input),
            applicant_name=input.applicant_name,
            id_number=input.id_number,
            phone=input.phone,
            employer_id=parse_id(input.employer_id, "employerId"),
            tier=input.tier,
            household_size=input.household_size,
        )
        return _application(info, changed)

    @fields.mutation("Supervisors.")
    async def assign_caso(
        self, info: Info[Context, None], input: AssignCasoInput
    ) -> HousingApplicationPayload:
        changed = await housing.assign_caso(
            application(info),
            command(info, input),
            application_id=parse_id(input.application_id, "applicationId"),
            officer_id=parse_id(input.officer_id, "officerId"),
        )
        return _application(info, changed)

    @fields.mutation("The application's CASO, or a supervisor; puts it on the waitlist.")
    async def approve_housing_application(
        self, info: Info[Context, None], input: ApproveHousingApplicationInput
    ) -> HousingApplicationPayload:
        changed = await housing.approve_housing_application(
            application(info),
            command(info, input),
            application_id=parse_id(input.application_id, "applicationId"),
        )
        return _application(info, changed)

    @fields.mutation("The application's CASO, or a supervisor; reason required.")
    async def reject_housing_application(
        self, info: Info[Context, None], input: RejectHousingApplicationInput
    ) -> HousingApplicationPayload:
        changed = await housing.reject_housing_application(
            application(info),
            command(info, input),
            application_id=parse_id(input.application_id, "applicationId"),
        )
        return _application(info, changed)

    @fields.mutation("The application's CASO, or a supervisor; unit and application at once.")
    async def allocate_housing_unit(
        self, info: Info[Context, None], input: AllocateHousingUnitInput
    ) -> HousingTenancyPayload:
        changed = await housing.allocate_housing_unit(
            application(info),
            command(info, input),
            application_id=parse_id(input.application_id, "applicationId"),
            unit_id=parse_id(input.unit_id, "unitId"),
            lease_end=input.lease_end,
        )
        return _tenancy(info, changed)

    @fields.mutation("The application's CASO, or a supervisor.")
    async def record_move_in(
        self, info: Info[Context, None], input: RecordMoveInput
    ) -> HousingTenancyPayload:
        changed = await housing.record_move_in(
            application(info),
            command(info, input),
            application_id=parse_id(input.application_id, "applicationId"),
            on=input.on,
        )
        return _tenancy(info, changed)

    @fields.mutation("The application's CASO, or a supervisor; frees the unit, ends the case.")
    async def record_move_out(
        self, info: Info[Context, None], input: RecordMoveInput
    ) -> HousingTenancyPayload:
        changed = await housing.record_move_out(
            application(info),
            command(info, input),
            application_id=parse_id(input.application_id, "applicationId"),
            on=input.on,
        )
        return _tenancy(info, changed)

    @fields.mutation("The application's CASO, or a supervisor.")
    async def renew_lease(
        self, info: Info[Context, None], input: RenewLeaseInput
    ) -> HousingApplicationPayload:
        changed = await housing.renew_lease(
            application(info),
            command(info, input),
            application_id=parse_id(input.application_id, "applicationId"),
            lease_end=input.lease_end,
        )
        return _application(info, changed)

    @fields.mutation("Supervisors: destroys the applicant's key; their fields read [erased].")
    async def erase_personal_data(
        self, info: Info[Context, None], input: ErasePersonalDataInput
    ) -> HousingApplicationPayload:
        changed = await housing.erase_personal_data(
            application(info),
            command(info, input),
            application_id=parse_id(input.application_id, "applicationId"),
        )
        return _application(info, changed)
