"""The district's talent housing: 10,000 units, 20,000 applications.

The supervisor submits each application and gives it a CASO; the CASO decides it at least a
week later, approving and allocating in consecutive steps (so the waitlist is empty in
between and every allocation takes its head), and everything that touches the waitlist is
over before the demo's housing story begins (cso/seed/housing.py), which then finds the
waitlist as it expects.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from cso.seed.district_actions import AllocateUnit, ListUnit
from cso.seed.district_cases import BASE
from cso.seed.housing import Apply, Approve, AssignCaso, MoveIn, MoveOut, Reject
from cso.seed.housing_data import (
    AREA_SQM,
    GIVEN,
    REJECTION_REASON,
    ROOMS,
    SURNAMES,
    Applicant,
    Fate,
)
from cso.seed.steps import Step

if TYPE_CHECKING:
    from cso.seed.district import DistrictScale

HOUSING_ENDS_DAYS_AGO = 230  # the demo's housing begins 200 days ago (cso/seed/housing.py)
RENT = {1: 1450, 2: 2300, 3: 3150}
REJECTED_SHARE = 0.2
UNDER_REVIEW_SHARE = 0.2
ENDED_SHARE = 0.2
BATCH_GUARD_DAYS = 7


def housing_steps(
    rng: random.Random,
    scale: DistrictScale,
    employers: Sequence[int],
    casos: Sequence[int],
    first: date,
    today: date,
) -> list[Step]:
    listed = first + timedelta(days=2)
    rooms = [rng.choice(ROOMS) for _ in range(scale.units)]
    steps = [
        Step(
            listed,
            ListUnit(
                BASE + u,
                f"人才公寓{u // 240 + 1}栋",
                _unit_no(u % 240),
                r,
                Decimal(AREA_SQM[r]),
                Decimal(RENT[r]),
            ),
        )
        for u, r in enumerate(rooms)
    ]
    free = _FreeUnits(rooms, listed)
    ends = today - timedelta(days=HOUSING_ENDS_DAYS_AGO)
    opens = listed + timedelta(days=30)
    span = max(1, (ends - opens).days - 60)
    days = sorted(opens + timedelta(days=rng.randrange(span)) for _ in range(scale.applications))
    for n, on in enumerate(days):
        a, caso = BASE + n, casos[n % len(casos)]
        applicant = _applicant(rng, n, employers)
        steps += [Step(on, Apply(a, applicant)), Step(on, AssignCaso(a, caso))]
        decided = on + timedelta(days=rng.randint(8, 30))
        fate = rng.random()
        if fate < REJECTED_SHARE:
            steps.append(Step(decided, Reject(a), caso, REJECTION_REASON))
            continue
        # A unit freed a week before at least, so that batching by week keeps the order.
        if fate > 1 - UNDER_REVIEW_SHARE or decided > ends:
            continue  # still under review
        unit = free.take(applicant.household, decided - timedelta(days=BATCH_GUARD_DAYS))
        if unit is None:
            continue  # no unit fits yet: still under review
        lease_end = decided.replace(year=decided.year + 3) - timedelta(days=1)
        steps += [
            Step(decided, Approve(a), caso),
            Step(decided, AllocateUnit(a, BASE + unit, lease_end), caso),
        ]
        moved_in = decided + timedelta(days=rng.randint(3, 14))
        steps.append(Step(moved_in, MoveIn(a, moved_in), caso))
        moved_out = moved_in + timedelta(days=rng.randint(60, 200))
        if rng.random() < ENDED_SHARE and moved_out <= today:
            steps.append(Step(moved_out, MoveOut(a, moved_out), caso))
            free.give_back(unit, moved_out + timedelta(days=1))
    return steps


class _FreeUnits:
    """Units free from a day, by rooms; the first fitting one free by a day is taken."""

    def __init__(self, rooms: list[int], listed: date) -> None:
        self.rooms = rooms
        self.by_rooms: dict[int, list[tuple[date, int]]] = {r: [] for r in set(rooms)}
        for unit, r in enumerate(rooms):
            self.by_rooms[r].append((listed, unit))

    def take(self, household: int, free_by: date) -> int | None:
        for r in sorted(self.by_rooms):
            if 2 * r < household:
                continue
            units = self.by_rooms[r]
            for k, (day, unit) in enumerate(units):
                if day <= free_by:
                    del units[k]
                    return unit
        return None

    def give_back(self, unit: int, on: date) -> None:
        self.by_rooms[self.rooms[unit]].append((on, unit))


def _unit_no(k: int) -> str:
    return f"{k // 8 + 2:02d}{k % 8 + 1:02d}"  # 8 a floor, from the 2nd


def _applicant(rng: random.Random, n: int, employers: Sequence[int]) -> Applicant:
    born = date(1982, 1, 1) + timedelta(days=n % 6000)
    return Applicant(
        name=rng.choice(SURNAMES) + rng.choice(GIVEN),
        id_number17=f"440112{born:%Y%m%d}{n // 6000:03d}",
        phone=f"136{rng.randrange(10**8):08d}",
        employer=rng.choice(employers),
        tier=rng.randrange(4),
        household=rng.choice((1, 1, 2, 2, 3, 4)),
        fate=Fate.SUBMITTED,  # unused: the district plans each application's course
    )
