"""Talent housing: listHousingUnit, start/endUnitMaintenance, applyForHousing, assignCaso,
the decision, allocation, move-in and move-out, renewLease."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from strawberry.types import Info

from cso.domain.enums import TalentTier
from cso.domain.housing_application import HousingApplication as ApplicationAggregate
from cso.domain.housing_unit import HousingUnit as UnitAggregate
from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.mutations.common import ChangedPayload, MutationInput, run, written
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


@strawberry.input(description="A new unit; its number is unique in its building.")
class ListHousingUnitInput(MutationInput):
    building: str
    unit_no: str
    rooms: int
    area_sqm: Decimal
    monthly_rent: Decimal = strawberry.field(description='In yuan a month, e.g. "2300.00".')


@strawberry.input(description="An application for a talent working at `employerId`.")
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


@strawberry.input(description="Puts the application on the waitlist (by tier).")
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


@strawberry.input(description="A move-in or move-out on a day not in the future.")
class RecordMoveInput(MutationInput):
    application_id: strawberry.ID
    on: date


@strawberry.input(description="A later lease end, at most five years past the current one.")
class RenewLeaseInput(MutationInput):
    application_id: strawberry.ID
    lease_end: date


@strawberry.input(description="The reason (why the unit is out of use) is required.")
class StartUnitMaintenanceInput(MutationInput):
    unit_id: strawberry.ID


@strawberry.input(description="The unit is AVAILABLE again.")
class EndUnitMaintenanceInput(MutationInput):
    unit_id: strawberry.ID


@strawberry.input(description="Supervisors: the applicant's data becomes unreadable, for good.")
class ErasePersonalDataInput(MutationInput):
    application_id: strawberry.ID


async def _unit(info: Info[Context, None], payload: ChangedPayload) -> HousingUnit:
    return await written(
        info,
        payload.consistency_token,
        payload.changed["unit"],
        units_by_id,
        UnitAggregate,
        unit_from_aggregate,
    )


@strawberry.type(description="The unit after the change.")
class HousingUnitPayload(ChangedPayload):
    @fields.field("The unit after the change; read only when asked for.")
    async def unit(self, info: Info[Context, None]) -> HousingUnit:
        return await _unit(info, self)


@strawberry.type(description="The application after the change.")
class HousingApplicationPayload(ChangedPayload):
    @fields.field("The application after the change; read only when asked for.")
    async def application(self, info: Info[Context, None]) -> HousingApplication:
        return await written(
            info,
            self.consistency_token,
            self.changed["application"],
            applications_by_id,
            ApplicationAggregate,
            application_from_aggregate,
        )


@strawberry.type(description="The application and its unit after the change.")
class HousingTenancyPayload(HousingApplicationPayload):
    @fields.field("The unit after the change; read only when asked for.")
    async def unit(self, info: Info[Context, None]) -> HousingUnit:
        return await _unit(info, self)


@strawberry.type
class HousingMutations:
    @fields.mutation("Supervisors. The unit number is unique in its building.")
    async def list_housing_unit(
        self, info: Info[Context, None], input: ListHousingUnitInput
    ) -> HousingUnitPayload:
        changed = await run(
            info,
            input,
            housing.list_housing_unit,
            building=input.building,
            unit_no=input.unit_no,
            rooms=input.rooms,
            area_sqm=input.area_sqm,
            monthly_rent=input.monthly_rent,
        )
        return HousingUnitPayload.of(info, changed)

    @fields.mutation(
        "Supervisors and officers who can serve as CASO. An AVAILABLE unit goes into "
        "MAINTENANCE, allocated to nobody until it ends."
    )
    async def start_unit_maintenance(
        self, info: Info[Context, None], input: StartUnitMaintenanceInput
    ) -> HousingUnitPayload:
        unit_id = parse_id(input.unit_id, "unitId")
        changed = await run(info, input, housing.start_unit_maintenance, unit_id=unit_id)
        return HousingUnitPayload.of(info, changed)

    @fields.mutation("Supervisors and officers who can serve as CASO.")
    async def end_unit_maintenance(
        self, info: Info[Context, None], input: EndUnitMaintenanceInput
    ) -> HousingUnitPayload:
        unit_id = parse_id(input.unit_id, "unitId")
        changed = await run(info, input, housing.end_unit_maintenance, unit_id=unit_id)
        return HousingUnitPayload.of(info, changed)

    @fields.mutation("Officers and supervisors.")
    async def apply_for_housing(
        self, info: Info[Context, None], input: ApplyForHousingInput
    ) -> HousingApplicationPayload:
        changed = await run(
            info,
            input,
            housing.apply_for_housing,
            applicant_name=input.applicant_name,
            id_number=input.id_number,
            phone=input.phone,
            employer_id=parse_id(input.employer_id, "employerId"),
            tier=input.tier,
            household_size=input.household_size,
        )
        return HousingApplicationPayload.of(info, changed)

    @fields.mutation("Supervisors.")
    async def assign_caso(
        self, info: Info[Context, None], input: AssignCasoInput
    ) -> HousingApplicationPayload:
        changed = await run(
            info,
            input,
            housing.assign_caso,
            application_id=parse_id(input.application_id, "applicationId"),
            officer_id=parse_id(input.officer_id, "officerId"),
        )
        return HousingApplicationPayload.of(info, changed)

    @fields.mutation("The application's CASO, or a supervisor; puts it on the waitlist.")
    async def approve_housing_application(
        self, info: Info[Context, None], input: ApproveHousingApplicationInput
    ) -> HousingApplicationPayload:
        changed = await run(
            info,
            input,
            housing.approve_housing_application,
            application_id=parse_id(input.application_id, "applicationId"),
        )
        return HousingApplicationPayload.of(info, changed)

    @fields.mutation("The application's CASO, or a supervisor; reason required.")
    async def reject_housing_application(
        self, info: Info[Context, None], input: RejectHousingApplicationInput
    ) -> HousingApplicationPayload:
        changed = await run(
            info,
            input,
            housing.reject_housing_application,
            application_id=parse_id(input.application_id, "applicationId"),
        )
        return HousingApplicationPayload.of(info, changed)

    @fields.mutation("The application's CASO, or a supervisor; unit and application at once.")
    async def allocate_housing_unit(
        self, info: Info[Context, None], input: AllocateHousingUnitInput
    ) -> HousingTenancyPayload:
        changed = await run(
            info,
            input,
            housing.allocate_housing_unit,
            application_id=parse_id(input.application_id, "applicationId"),
            unit_id=parse_id(input.unit_id, "unitId"),
            lease_end=input.lease_end,
        )
        return HousingTenancyPayload.of(info, changed)

    @fields.mutation("The application's CASO, or a supervisor.")
    async def record_move_in(
        self, info: Info[Context, None], input: RecordMoveInput
    ) -> HousingTenancyPayload:
        changed = await run(
            info,
            input,
            housing.record_move_in,
            application_id=parse_id(input.application_id, "applicationId"),
            on=input.on,
        )
        return HousingTenancyPayload.of(info, changed)

    @fields.mutation("The application's CASO, or a supervisor; frees the unit, ends the case.")
    async def record_move_out(
        self, info: Info[Context, None], input: RecordMoveInput
    ) -> HousingTenancyPayload:
        changed = await run(
            info,
            input,
            housing.record_move_out,
            application_id=parse_id(input.application_id, "applicationId"),
            on=input.on,
        )
        return HousingTenancyPayload.of(info, changed)

    @fields.mutation("The application's CASO, or a supervisor.")
    async def renew_lease(
        self, info: Info[Context, None], input: RenewLeaseInput
    ) -> HousingApplicationPayload:
        changed = await run(
            info,
            input,
            housing.renew_lease,
            application_id=parse_id(input.application_id, "applicationId"),
            lease_end=input.lease_end,
        )
        return HousingApplicationPayload.of(info, changed)

    @fields.mutation("Supervisors: destroys the applicant's key; their fields read [erased].")
    async def erase_personal_data(
        self, info: Info[Context, None], input: ErasePersonalDataInput
    ) -> HousingApplicationPayload:
        changed = await run(
            info,
            input,
            housing.erase_personal_data,
            application_id=parse_id(input.application_id, "applicationId"),
        )
        return HousingApplicationPayload.of(info, changed)
