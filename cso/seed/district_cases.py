"""The district's projects: each CSO's work on them, and their requests.

Each project is registered by the supervisor and then worked by its CSO alone (plan,
milestones, services, requests raised, referred, resolved and rated), so that batching a
week by actor never runs a step before one it depends on.
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
SATISFACTION = (3, 4, 4, 5, 5, 5)
KINDS = tuple(ServiceKind)
CATEGORIES = tuple(RequestCategory)


def project_steps(
    rng: random.Random,
    scale: DistrictScale,
    employers: Sequence[int],
    csos: Sequence[int],
    first: date,
    today: date,
) -> dict[int, list[Step]]:
    """Each CSO's projects (registered and assigned by the supervisor, then worked by the
    CSO alone), by the CSO's officer index: the streams of one CSO's lane are nobody
    else's."""
    lanes: dict[int, list[Step]] = {}
    per_project = max(1, scale.project_requests // scale.projects)
    opened = first + timedelta(days=40)  # enterprises are registered by then
    for n in range(scale.projects):
        p, cso = BASE + n, csos[n % len(csos)]
        steps = lanes.setdefault(cso, [])
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
    return lanes


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
