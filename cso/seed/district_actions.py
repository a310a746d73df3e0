"""Housing steps of the district, whose units are kept by index of their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cso.seed.steps import Context
from cso.services import housing
from cso.services.application import Command


@dataclass(frozen=True, slots=True)
class ListUnit:
    unit: int
    building: str
    unit_no: str
    rooms: int
    area_sqm: Decimal
    monthly_rent: Decimal

    async def apply(self, ctx: Context, cmd: Command) -> None:
        changed = await housing.list_housing_unit(
            ctx.app,
            cmd,
            building=self.building,
            unit_no=self.unit_no,
            rooms=self.rooms,
            area_sqm=self.area_sqm,
            monthly_rent=self.monthly_rent,
        )
        ctx.district_units[self.unit] = changed["unit"]


@dataclass(frozen=True, slots=True)
class AllocateUnit:
    applicant: int
    unit: int
    lease_end: date

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await housing.allocate_housing_unit(
            ctx.app,
            cmd,
            application_id=ctx.applications[self.applicant],
            unit_id=ctx.district_units[self.unit],
            lease_end=self.lease_end,
        )
