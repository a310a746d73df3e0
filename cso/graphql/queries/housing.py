"""housingUnit, housingUnits, housingApplication, housingApplications (now, or replayed)."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from uuid import UUID

import strawberry
from strawberry.types import Info

from cso.domain.enums import ApplicationStatus, TalentTier, UnitStatus
from cso.domain.housing_unit import HousingUnit as UnitAggregate
from cso.graphql import fields
from cso.graphql.connections import Connection, list_connection
from cso.graphql.context import Context
from cso.graphql.enums import SortDirection
from cso.graphql.queries.common import now_or_replayed, ordering_name, reader
from cso.graphql.scalars import parse_optional_id, parse_optional_text
from cso.graphql.types.common import view_aggregate
from cso.graphql.types.housing import (
    HousingApplication,
    HousingUnit,
    application_at,
    application_from_row,
    applications_by_id,
    unit_from_aggregate,
    unit_from_row,
    units_by_id,
)
from cso.projections.housing import APPLICATIONS, UNITS
from cso.services.errors import InvalidInput


@strawberry.input(description="Every condition given must hold.")
class HousingUnitFilter:
    status: UnitStatus | None = None
    building: str | None = None
    fits_household: int | None = strawberry.field(
        default=None, description="Units that fit a household of this many people."
    )


@strawberry.enum(description="What a unit list is sorted by; ties go by id.")
class HousingUnitOrderField(Enum):
    CREATED_AT = "CREATED_AT"
    MONTHLY_RENT = "MONTHLY_RENT"


@strawberry.input(description="Sort by a field, then by id.")
class HousingUnitOrder:
    field: HousingUnitOrderField = HousingUnitOrderField.CREATED_AT
    direction: SortDirection = SortDirection.ASC


@strawberry.input(description="Every condition given must hold.")
class HousingApplicationFilter:
    status: ApplicationStatus | None = None
    tier: TalentTier | None = None
    caso_id: strawberry.ID | None = None
    allocated_out_of_order: bool | None = strawberry.field(
        default=None, description="Allocations that passed over earlier applications."
    )
    lease_ends_before: date | None = None


@strawberry.enum(description="What an application list is sorted by; ties go by id.")
class HousingApplicationOrderField(Enum):
    CREATED_AT = "CREATED_AT"
    WAITLIST = "WAITLIST"


@strawberry.input(description="Sort by a field, then by id. WAITLIST: waiting ones first.")
class HousingApplicationOrder:
    field: HousingApplicationOrderField = HousingApplicationOrderField.CREATED_AT
    direction: SortDirection = SortDirection.ASC


async def _unit_at(
    context: Context, key: UUID, version: int | None, as_of: datetime | None
) -> HousingUnit | None:
    return await view_aggregate(
        context, key, UnitAggregate, unit_from_aggregate, version=version, as_of=as_of
    )


@strawberry.type
class HousingQueries:
    @fields.field("The unit now; with asOf and/or version, replayed to that point.")
    async def housing_unit(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        as_of: datetime | None = None,
        version: int | None = None,
    ) -> HousingUnit | None:
        return await now_or_replayed(info, id, units_by_id, _unit_at, as_of, version)

    @strawberry.field
    async def housing_units(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter: HousingUnitFilter | None = None,
        order_by: HousingUnitOrder | None = None,
    ) -> Connection[HousingUnit]:
        reader(info)
        f = filter or HousingUnitFilter()
        if f.fits_household is not None and f.fits_household < 1:
            raise InvalidInput("a household has at least 1 person", "fitsHousehold")
        params = [
            f.status.value if f.status else None,
            parse_optional_text(f.building, "building"),
            f.fits_household,
        ]
        order = order_by or HousingUnitOrder()
        name = ordering_name(order.field.value, order.direction)
        return await list_connection(
            info.context.db, UNITS, params, name, first, after, unit_from_row
        )

    @fields.field(
        "The application now; with asOf and/or version, replayed to that point, its "
        "waitlistPosition then: at asOf, or (with version) when that version was recorded."
    )
    async def housing_application(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        as_of: datetime | None = None,
        version: int | None = None,
    ) -> HousingApplication | None:
        return await now_or_replayed(
            info,
            id,
            applications_by_id,
            application_at,
            as_of,
            version,
        )

    @strawberry.field
    async def housing_applications(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter: HousingApplicationFilter | None = None,
        order_by: HousingApplicationOrder | None = None,
    ) -> Connection[HousingApplication]:
        reader(info)
        f = filter or HousingApplicationFilter()
        params = [
            f.status.value if f.status else None,
            f.tier.value if f.tier else None,
            parse_optional_id(f.caso_id, "casoId"),
            f.allocated_out_of_order,
            f.lease_ends_before,
        ]
        order = order_by or HousingApplicationOrder()
        name = ordering_name(order.field.value, order.direction)
        return await list_connection(
            info.context.db, APPLICATIONS, params, name, first, after, application_from_row
        )
