"""Talent housing in the demo: units listed, applications taken through every state, one
allocation out of the waitlist's order with its reason, one applicant erased.

Planned from a generator of its own (the rest of the plan draws as before). The planner
follows the waitlist as the domain keeps it — tier, then approval order — so every
allocation but the one made with a reason takes the head of the list.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from cso.domain.enums import TalentTier
from cso.domain.id_number import make_id_number
from cso.seed.data import ENTERPRISES
from cso.seed.housing_data import (
    AREA_SQM,
    BUILDINGS,
    CASOS,
    ERASURE_REASON,
    FATES,
    GIVEN,
    HOUSED,
    LEASE_YEARS,
    PASSED_AHEAD_REASON,
    PREMIUM_STEP,
    REJECTION_REASON,
    RENT,
    ROOMS,
    SURNAMES,
    Applicant,
    Fate,
)
from cso.seed.steps import Action, Context, Step
from cso.services import housing
from cso.services.application import Command

TIERS = list(TalentTier)


@dataclass(frozen=True, slots=True)
class Unit:
    building: str
    unit_no: str
    rooms: int
    rent: int


def plan_units(rng: random.Random) -> list[Unit]:
    units = []
    for b, (building, count) in enumerate(BUILDINGS):
        premium = (len(BUILDINGS) - b) * PREMIUM_STEP
        for n in range(count):
            rooms = rng.choice(ROOMS)
            unit_no = f"{n // 6 + 3:02d}{n % 6 + 1:02d}"  # floors from the 3rd, 6 a floor
            units.append(Unit(building, unit_no, rooms, RENT[rooms] + premium))
    return units


def plan_applicants(rng: random.Random) -> list[Applicant]:
    fates = [fate for fate, count in FATES for _ in range(count)]
    applicants = []
    for i, fate in enumerate(fates):
        born = date(1984, 1, 1) + timedelta(days=rng.randrange(15 * 365))
        applicants.append(
            Applicant(
                name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                id_number17=f"440106{born:%Y%m%d}{i:03d}",
                phone=f"139{rng.randrange(10**8):08d}",
                employer=rng.randrange(len(ENTERPRISES)),
                # Every tier in every fate of 4 or more; the one passed ahead is of the last.
                tier=len(TIERS) - 1 if fate is Fate.PASSED_AHEAD else (i + i // 4) % len(TIERS),
                household=rng.choice((1, 1, 2, 2, 3, 4)),
                fate=fate,
            )
        )
    return applicants


def housing_steps(rng_seed: int, today: date) -> list[Step]:
    """The housing story, dated; the caller sorts it into the rest of history."""
    rng = random.Random(f"housing:{rng_seed}")
    units, applicants = plan_units(rng), plan_applicants(rng)
    day = today - timedelta(days=200)
    steps = [Step(day, ListUnits(tuple(units)))]
    early = [i for i, a in enumerate(applicants) if a.fate in HOUSED]
    # The one passed ahead is approved last: all the waiting are ahead of it.
    late = [i for i, a in enumerate(applicants) if a.fate is Fate.WAITING]
    late += [i for i, a in enumerate(applicants) if a.fate is Fate.PASSED_AHEAD]
    rejected = [i for i, a in enumerate(applicants) if a.fate is Fate.REJECTED]
    fresh = [i for i, a in enumerate(applicants) if a.fate is Fate.SUBMITTED]

    def submit(i: int, on: date) -> None:
        caso = CASOS[i % len(CASOS)]
        steps.extend((Step(on, Apply(i, applicants[i])), Step(on, AssignCaso(i, caso))))

    def by_caso(i: int, on: date, action: Action, reason: str | None = None) -> Step:
        return Step(on, action, officer=CASOS[i % len(CASOS)], reason=reason)

    for n, i in enumerate(early):
        submit(i, today - timedelta(days=190 - 2 * n))
    steps += [by_caso(i, today - timedelta(days=150), Approve(i)) for i in early]
    # The waitlist's order: tier, then approval (the order just given).
    free = list(range(len(units)))
    for n, i in enumerate(sorted(early, key=lambda i: applicants[i].tier)):
        unit = next(u for u in free if 2 * units[u].rooms >= applicants[i].household)
        free.remove(unit)
        on = today - timedelta(days=140 - n)
        steps.append(by_caso(i, on, Allocate(i, unit, on)))
        if applicants[i].fate is not Fate.ALLOCATED:
            steps.append(by_caso(i, on + timedelta(days=7), MoveIn(i, on + timedelta(days=7))))
        if applicants[i].fate is Fate.ENDED:
            ended = today - timedelta(days=40 - n)
            steps.append(by_caso(i, ended, MoveOut(i, ended)))
    for n, i in enumerate(rejected):
        submit(i, today - timedelta(days=120 - n))
        steps.append(by_caso(i, today - timedelta(days=110), Reject(i), REJECTION_REASON))
    for n, i in enumerate(late):
        submit(i, today - timedelta(days=100 - 2 * n))
    steps += [by_caso(i, today - timedelta(days=70), Approve(i)) for i in late]
    # Past the earlier waiting applicants of higher tiers, with the reason recorded.
    ahead = late[-1]
    unit = next(u for u in free if units[u].rooms == 3)
    on = today - timedelta(days=30)
    steps.append(by_caso(ahead, on, Allocate(ahead, unit, on), PASSED_AHEAD_REASON))
    for n, i in enumerate(fresh):
        submit(i, today - timedelta(days=25 - 4 * n))
    erased = next(i for i in early if applicants[i].fate is Fate.ENDED)
    steps.append(Step(today - timedelta(days=3), Erase(erased), reason=ERASURE_REASON))
    return steps


@dataclass(frozen=True, slots=True)
class ListUnits:
    units: tuple[Unit, ...]

    async def apply(self, ctx: Context, cmd: Command) -> None:
        for unit in self.units:
            changed = await housing.list_housing_unit(
                ctx.app,
                cmd,
                building=unit.building,
                unit_no=unit.unit_no,
                rooms=unit.rooms,
                area_sqm=Decimal(AREA_SQM[unit.rooms]),
                monthly_rent=Decimal(unit.rent),
            )
            ctx.units.append(changed["unit"])


@dataclass(frozen=True, slots=True)
class Apply:
    applicant: int
    row: Applicant

    async def apply(self, ctx: Context, cmd: Command) -> None:
        changed = await housing.apply_for_housing(
            ctx.app,
            cmd,
            applicant_name=self.row.name,
            id_number=make_id_number(self.row.id_number17),
            phone=self.row.phone,
            employer_id=ctx.enterprises[self.row.employer],
            tier=TIERS[self.row.tier],
            household_size=self.row.household,
        )
        ctx.applications[self.applicant] = changed["application"]


@dataclass(frozen=True, slots=True)
class AssignCaso:
    applicant: int
    officer: int

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await housing.assign_caso(
            ctx.app,
            cmd,
            application_id=ctx.applications[self.applicant],
            officer_id=ctx.officer_id(self.officer),
        )


@dataclass(frozen=True, slots=True)
class Approve:
    applicant: int

    async def apply(self, ctx: Context, cmd: Command) -> None:
        application_id = ctx.applications[self.applicant]
        await housing.approve_housing_application(ctx.app, cmd, application_id=application_id)


@dataclass(frozen=True, slots=True)
class Reject:
    applicant: int

    async def apply(self, ctx: Context, cmd: Command) -> None:
        application_id = ctx.applications[self.applicant]
        await housing.reject_housing_application(ctx.app, cmd, application_id=application_id)


@dataclass(frozen=True, slots=True)
class Allocate:
    applicant: int
    unit: int
    on: date

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await housing.allocate_housing_unit(
            ctx.app,
            cmd,
            application_id=ctx.applications[self.applicant],
            unit_id=ctx.units[self.unit],
            lease_end=self.on.replace(year=self.on.year + LEASE_YEARS) - timedelta(days=1),
        )


@dataclass(frozen=True, slots=True)
class MoveIn:
    applicant: int
    on: date

    async def apply(self, ctx: Context, cmd: Command) -> None:
        application_id = ctx.applications[self.applicant]
        await housing.record_move_in(ctx.app, cmd, application_id=application_id, on=self.on)


@dataclass(frozen=True, slots=True)
class MoveOut:
    applicant: int
    on: date

    async def apply(self, ctx: Context, cmd: Command) -> None:
        application_id = ctx.applications[self.applicant]
        await housing.record_move_out(ctx.app, cmd, application_id=application_id, on=self.on)


@dataclass(frozen=True, slots=True)
class Erase:
    applicant: int

    async def apply(self, ctx: Context, cmd: Command) -> None:
        application_id = ctx.applications[self.applicant]
        await housing.erase_personal_data(ctx.app, cmd, application_id=application_id)
