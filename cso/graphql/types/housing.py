"""HousingUnit and HousingApplication: one mapper each, from a read-model row or from an
aggregate put in the row's shape (time travel, and what is not projected yet).

A replayed application has no live waitlist position (that is a figure of the whole
waitlist at the moment it is read); its allocation shows what the allocation recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from cso.domain import housing_application as application_domain
from cso.domain import housing_unit as unit_domain
from cso.domain.enums import ApplicationStatus, TalentTier, UnitStatus
from cso.domain.housing_unit import capacity
from cso.domain.waitlist import WAITLIST_ID, Waitlist
from cso.eventstore import StreamNotFound
from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.cursors import page_size
from cso.graphql.keyset import Row
from cso.graphql.loaders import batch_by_id, load_by_id
from cso.graphql.personal_data import reveal
from cso.graphql.privacy import mask_id_number, mask_phone
from cso.graphql.types.common import stamp_of, stamp_row, unprojected
from cso.graphql.types.enterprise import Enterprise, load_enterprise
from cso.graphql.types.event import Event, history
from cso.graphql.types.officer import Officer, load_officer
from cso.projections import housing as read_model
from cso.services.policy import may_read_personal_data

SUBJECT_TYPE = "HousingApplicant"
Masker = Callable[[str], str]


@strawberry.type(
    description="A talent apartment (人才公寓): AVAILABLE, ALLOCATED, OCCUPIED or MAINTENANCE."
)
class HousingUnit:
    id: strawberry.ID
    version: int
    created_at: datetime
    updated_at: datetime
    building: str
    unit_no: str
    rooms: int
    area_sqm: Decimal
    monthly_rent: Decimal
    capacity: int = strawberry.field(description="The largest household it fits (2 × rooms).")
    status: UnitStatus
    application_id: strawberry.Private[UUID | None]

    @strawberry.field
    async def application(self, info: Info[Context, None]) -> HousingApplication | None:
        return await load_by_id(info.context, applications_by_id, self.application_id)

    @strawberry.field
    async def history(self, info: Info[Context, None]) -> list[Event]:
        return await history(info, self.id, self.version)


def unit_from_row(row: Row) -> HousingUnit:
    """The type's one mapper: from a read-model row (UNIT_COLUMNS) or `unit_row`."""
    return HousingUnit(
        **stamp_of(row),
        building=row["building"],
        unit_no=row["unit_no"],
        rooms=row["rooms"],
        area_sqm=row["area_sqm"],
        monthly_rent=row["monthly_rent"],
        capacity=row["capacity"],
        status=UnitStatus[row["status"]],
        application_id=row["application_id"],
    )


def unit_row(unit: unit_domain.HousingUnit) -> dict[str, Any]:
    """An aggregate in the read model's row shape, for the one mapper."""
    return {
        **stamp_row(unit),
        "building": unit.building,
        "unit_no": unit.unit_no,
        "rooms": unit.rooms,
        "area_sqm": unit.area_sqm,
        "monthly_rent": unit.monthly_rent,
        "capacity": capacity(unit.rooms),
        "status": unit.status.value,
        "application_id": unit.application_id,
    }


def unit_from_aggregate(unit: unit_domain.HousingUnit) -> HousingUnit:
    return unit_from_row(unit_row(unit))


units_by_id = batch_by_id(
    read_model.units_by_ids,
    unit_from_row,
    unprojected(unit_domain.HousingUnit, unit_from_aggregate),
)


@strawberry.type(
    description="An earlier application on the waitlist that also fitted the unit, passed over."
)
class PassedOver:
    id: strawberry.ID
    tier: TalentTier
    waitlist_position: int


@strawberry.type(
    description="The unit an application was allocated, when, its waitlist position, and why."
)
class Allocation:
    unit_id: strawberry.Private[UUID]
    on: date
    waitlist_position: int = strawberry.field(description="The application's, when allocated.")
    passed_over: list[PassedOver] = strawberry.field(
        description="Earlier applications on the waitlist that also fit the unit."
    )
    reason: str | None

    @strawberry.field
    async def unit(self, info: Info[Context, None]) -> HousingUnit | None:
        return await load_by_id(info.context, units_by_id, self.unit_id)


@strawberry.type(description="A talent's application for an apartment, followed by its CASO.")
class HousingApplication:
    id: strawberry.ID
    version: int
    created_at: datetime
    updated_at: datetime
    tier: TalentTier
    household_size: int
    status: ApplicationStatus
    submitted_on: date
    lease_end: date | None
    moved_in_on: date | None
    ended_on: date | None
    waitlist_position: int | None = strawberry.field(
        description="1 for the first waiting application; null once off the waitlist."
    )
    allocated_out_of_order: bool
    allocation: Allocation | None
    personal_data_erased: bool = strawberry.field(
        description='The applicant\'s key is destroyed: their data reads "[erased]".'
    )
    applicant_id: strawberry.Private[UUID]
    sealed_name: strawberry.Private[str]
    sealed_id_number: strawberry.Private[str]
    sealed_phone: strawberry.Private[str]
    caso_id: strawberry.Private[UUID | None]
    employer_id: strawberry.Private[UUID]
    unit_id: strawberry.Private[UUID | None]

    def _unmasked(self, info: Info[Context, None]) -> bool:
        case_officers = () if self.caso_id is None else (self.caso_id,)
        return may_read_personal_data(info.context.viewer, self.applicant_id, case_officers)

    async def _reveal(
        self, info: Info[Context, None], field: str, sealed: str, mask: Masker | None
    ) -> str:
        return await reveal(
            info.context,
            self.applicant_id,
            SUBJECT_TYPE,
            field,
            sealed,
            unmasked=self._unmasked(info),
            mask=mask,
        )

    @fields.field("Personal data, shown to every reader (each read is recorded).")
    async def applicant_name(self, info: Info[Context, None]) -> str:
        return await self._reveal(info, "applicantName", self.sealed_name, None)

    @fields.field("Personal data: masked (4401**********1234) but for the CASO and supervisors.")
    async def id_number(self, info: Info[Context, None]) -> str:
        return await self._reveal(info, "idNumber", self.sealed_id_number, mask_id_number)

    @fields.field("Personal data: masked (138****5678) but for the CASO and supervisors.")
    async def phone(self, info: Info[Context, None]) -> str:
        return await self._reveal(info, "phone", self.sealed_phone, mask_phone)

    @strawberry.field
    async def employer(self, info: Info[Context, None]) -> Enterprise | None:
        return await load_enterprise(info.context, self.employer_id)

    @strawberry.field
    async def caso(self, info: Info[Context, None]) -> Officer | None:
        return await load_officer(info.context, self.caso_id)

    @strawberry.field
    async def unit(self, info: Info[Context, None]) -> HousingUnit | None:
        return await load_by_id(info.context, units_by_id, self.unit_id)

    @fields.field("Available units that fit the household, cheapest first.")
    async def suggested_units(
        self, info: Info[Context, None], first: int = 10
    ) -> list[HousingUnit]:
        # Checked as every list's `first` is (0 to 100, else INVALID_INPUT), before the status.
        count = page_size(first)
        if self.status is not ApplicationStatus.APPROVED:
            return []
        rows = await read_model.suggested_units(info.context.db, self.household_size, count)
        return [unit_from_row(row) for row in rows]

    @strawberry.field
    async def history(self, info: Info[Context, None]) -> list[Event]:
        return await history(info, self.id, self.version)


def application_from_row(row: Row) -> HousingApplication:
    """The type's one mapper: from a read-model row (APPLICATION_COLUMNS) or
    `application_row`."""
    allocation = None
    if row["allocated_on"] is not None:
        allocation = Allocation(
            unit_id=row["unit_id"],
            on=row["allocated_on"],
            waitlist_position=row["allocation_position"],
            passed_over=[
                PassedOver(
                    id=strawberry.ID(str(p["id"])),
                    tier=TalentTier[p["tier"]],
                    waitlist_position=p["waitlist_position"],
                )
                for p in row["passed_over"] or ()
            ],
            reason=row["allocation_reason"],
        )
    return HousingApplication(
        **stamp_of(row),
        tier=TalentTier[row["tier"]],
        household_size=row["household_size"],
        status=ApplicationStatus[row["status"]],
        submitted_on=row["submitted_on"],
        lease_end=row["lease_end"],
        moved_in_on=row["moved_in_on"],
        ended_on=row["ended_on"],
        waitlist_position=row["waitlist_position"],
        allocated_out_of_order=row["allocated_out_of_order"],
        allocation=allocation,
        personal_data_erased=row["erased"],
        applicant_id=row["applicant_id"],
        sealed_name=row["applicant_name"],
        sealed_id_number=row["id_number"],
        sealed_phone=row["phone"],
        caso_id=row["caso_id"],
        employer_id=row["employer_id"],
        unit_id=row["unit_id"],
    )


def application_row(application: application_domain.HousingApplication) -> dict[str, Any]:
    """An aggregate in the read model's row shape, for the one mapper."""
    return {
        **stamp_row(application),
        "applicant_id": application.applicant_id,
        "erased": application.erased,
        "applicant_name": application.applicant_name,
        "id_number": application.id_number,
        "phone": application.phone,
        "employer_id": application.employer_id,
        "tier": application.tier.value,
        "household_size": application.household_size,
        "status": application.status.value,
        "caso_id": application.caso_id,
        "unit_id": application.unit_id,
        "submitted_on": application.submitted_on,
        "allocated_on": application.allocated_on,
        "allocation_position": application.allocation_position,
        "passed_over": [
            {"id": p["id"], "tier": p["tier"].value, "waitlist_position": p["waitlist_position"]}  # type: ignore[attr-defined]
            for p in application.passed_over
        ],
        "allocation_reason": application.allocation_reason,
        "allocated_out_of_order": bool(application.passed_over),
        "lease_end": application.lease_end,
        "moved_in_on": application.moved_in_on,
        "ended_on": application.ended_on,
        "waitlist_position": None,
    }


def application_from_aggregate(
    application: application_domain.HousingApplication,
) -> HousingApplication:
    return application_from_row(application_row(application))


async def application_at(
    context: Context, application_id: UUID, version: int | None, as_of: datetime | None
) -> HousingApplication | None:
    """The application replayed to `version` and/or `as_of` (None if it did not exist
    then), with its waitlist position on the waitlist replayed to `as_of` when only that is
    given, else to when the version was recorded (its updatedAt). Null when it was not
    waiting then; an allocated one's position is its allocation's."""
    repository = context.runtime.repository
    try:
        application = await repository.get(
            application_id, application_domain.HousingApplication, version=version, as_of=as_of
        )
    except StreamNotFound:
        return None
    row = application_row(application)
    if application.status is ApplicationStatus.APPROVED:
        moment = as_of if version is None else application.modified_on
        waitlist = await repository.get(WAITLIST_ID, Waitlist, as_of=moment)
        row["waitlist_position"] = waitlist.position(application.id)
    return application_from_row(row)


applications_by_id = batch_by_id(
    read_model.applications_by_ids,
    application_from_row,
    unprojected(application_domain.HousingApplication, application_from_aggregate),
)
