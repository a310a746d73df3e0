"""The district's cases: projects with their CSO's work and requests, and talent housing.

Each project is registered by the supervisor and then worked by its CSO alone (plan,
milestones, services, requests raised, referred, resolved and rated), so that batching a
week by actor never runs a step before one it depends on. Housing applications are
submitted and given a CASO by the supervisor; the CASO decides them at least a week later,
approving and allocating in consecutive steps (the waitlist is empty in between), and
everything that touches the waitlist is over before the demo's housing story begins.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from cso.domain.enums import Milestone, RequestCategory, ServiceKind
from cso.seed import phrases
from cso.seed.district_actions import AllocateUnit, ListUnit
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
from cso.seed.project_actions import (
    AssignCso,
    RaiseRequest,
    RateRequest,
    ReachMilestone,
    RecordService,
    ReferRequest,
    RegisterProject,
    ResolveRequest,
    SetServicePlan,
)
from cso.seed.request_texts import REQUESTS
from cso.seed.steps import Step

if TYPE_CHECKING:
    from cso.seed.district import DistrictScale

# The district's officers, enterprises, projects, units and applicants count from here.
BASE = 100_000
PROJECT_KINDS = ("研发中心", "生产基地", "区域总部", "智能制造基地", "扩产项目", "创新中心")
MILESTONE_GAP = (30, 150)
SERVICE_GAP = (4, 12)
RAISE_AFTER_DAYS = 5
HOUSING_ENDS_DAYS_AGO = 230  # the demo's housing begins 200 days ago (cso/seed/housing.py)
RENT = {1: 1450, 2: 2300, 3: 3150}
SATISFACTION = (3, 4, 4, 5, 5, 5)
KINDS = tuple(ServiceKind)
CATEGORIES = tuple(RequestCategory)
REJECTED_SHARE = 0.2
UNDER_REVIEW_SHARE = 0.2
ENDED_SHARE = 0.2
BATCH_GUARD_DAYS = 7


def project_steps(
    rng: random.Random,
    scale: DistrictScale,
    employers: Sequence[int],
    csos: Sequence[int],
    first: date,
    today: date,
) -> list[Step]:
    steps: list[Step] = []
    per_project = max(1, scale.requests // scale.projects)
    opened = first + timedelta(days=40)  # enterprises are registered by then
    for n in range(scale.projects):
        p, cso = BASE + n, csos[n % len(csos)]
        employer = rng.choice(employers)
        signed = opened + timedelta(days=rng.randrange(max(1, (today - opened).days - 60)))
        name = f"{rng.choice('华新联创智瑞达科信和泰安')}{rng.choice(PROJECT_KINDS)}（{n + 1}号）"
        investment = Decimal(rng.randrange(500, 200_000))
        steps.append(Step(signed, RegisterProject(p, employer, None, name, investment)))
        assigned = signed + timedelta(days=rng.randint(1, 5))
        steps.append(Step(assigned, AssignCso(p, cso)))
        items = (*phrases.CORE_PLAN, rng.choice(phrases.OPTIONAL_PLAN))
        steps.append(Step(assigned + timedelta(days=1), SetServicePlan(p, items), cso))
        stage = _milestones(rng, steps, p, cso, signed, today)
        steps += _services(rng, p, cso, assigned + timedelta(days=1), today, stage)
        steps += _requests(rng, p, cso, per_project, assigned, today)
    return steps


def _milestones(
    rng: random.Random, steps: list[Step], p: int, cso: int, signed: date, today: date
) -> list[tuple[date, Milestone]]:
    on, reached = signed, [(signed, Milestone.SIGNED)]
    for milestone in list(Milestone)[1:]:
        on += timedelta(days=rng.randint(*MILESTONE_GAP))
        if on > today:
            break
        steps.append(Step(on, ReachMilestone(p, milestone), cso))
        reached.append((on, milestone))
    return reached


def _services(
    rng: random.Random,
    p: int,
    cso: int,
    since: date,
    today: date,
    stages: list[tuple[date, Milestone]],
) -> list[Step]:
    steps, on = [], since
    names = {"enterprise": "企业", "park": "园区", "district": "本区"}
    while on <= today:
        stage = [m for day, m in stages if day <= on][-1]  # reached in order
        kind = rng.choice(KINDS)
        text = rng.choice(_fitting(kind, stage)).format(project=f"{p - BASE + 1}号项目", **names)
        steps.append(Step(on, RecordService(p, kind, text), cso))
        on += timedelta(days=rng.randint(*SERVICE_GAP))
    return steps


@functools.cache
def _fitting(kind: ServiceKind, stage: Milestone) -> tuple[str, ...]:
    """The texts of a service of `kind` that fit a project at `stage`."""
    return tuple(t for t, lo, hi in phrases.ANYTIME[kind] if phrases.fits(stage, lo, hi))


def _requests(
    rng: random.Random, p: int, cso: int, count: int, assigned: date, today: date
) -> list[Step]:
    steps = []
    earliest = assigned + timedelta(days=RAISE_AFTER_DAYS)
    span = max(1, (today - earliest).days)
    for r in range(count):
        raised = earliest + timedelta(days=rng.randrange(span))
        category = rng.choice(CATEGORIES)
        text = rng.choice(REQUESTS[category])
        steps.append(Step(raised, RaiseRequest(p, r, category, text.description), cso))
        referred = raised + timedelta(days=rng.randint(1, 3))
        resolved = referred + timedelta(days=rng.randint(2, 15))
        rated = resolved + timedelta(days=rng.randint(1, 5))
        if referred <= today:
            departments = text.departments[: rng.choice((1, 1, 2))]
            steps.append(Step(referred, ReferRequest(p, r, departments), cso))
        if resolved <= today:
            steps.append(Step(resolved, ResolveRequest(p, r, text.resolution), cso))
        if rated <= today:
            steps.append(Step(rated, RateRequest(p, r, rng.choice(SATISFACTION)), cso))
    return steps


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
