"""The district's first secretaries (第一书记) and the problems its SMEs bring them.

Most of the district's requests come from its 40,000 SMEs, not from the 5,000 investment
projects: a secretary posted to an SME logs what the enterprise asks for (有呼必应), refers
most of it to departments, and sees it solved and rated, while a project's CSO raises a few
requests over the project's life, as in the demo (about three a project). Each posting is
worked by its secretary alone after the supervisor posts them, so batching a week by actor
keeps every step after the ones it depends on.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from cso.domain.enums import RequestCategory
from cso.seed.posting_problems import LogProblem, RateProblem, ReferProblem, SolveProblem
from cso.seed.postings import TERM_DAYS, PostFirstSecretary
from cso.seed.request_texts import REQUESTS
from cso.seed.steps import Step

if TYPE_CHECKING:
    from cso.seed.district import DistrictScale

SENDING_UNITS = ("区委组织部", "区科技局", "区工业和信息化局", "区发展和改革局", "区商务局")
POSTED_AFTER_DAYS = 45  # the district's enterprises are registered by then
LOG_AFTER_DAYS = 5
REFERRED_SHARE = 0.7  # the rest the secretary solves with the enterprise
SATISFACTION = (3, 4, 4, 5, 5, 5)
CATEGORIES = tuple(RequestCategory)


@dataclass(frozen=True, slots=True)
class Posting:
    """One district posting: its number, secretary (officer index), enterprise (index)."""

    number: int
    secretary: int
    enterprise: int


def postings(rng: random.Random, scale: DistrictScale, secretaries: Sequence[int]) -> list[Posting]:
    """Each secretary posted to a different SME of the district (indices from `BASE`)."""
    from cso.seed.district_cases import BASE

    chosen = rng.sample(range(scale.enterprises), len(secretaries))
    return [
        Posting(n, secretary, BASE + e)
        for n, (secretary, e) in enumerate(zip(secretaries, chosen, strict=True))
    ]


def posting_steps(
    rng: random.Random, posting: Posting, problems: int, first: date, today: date
) -> list[Step]:
    """The posting (by the supervisor) and `problems` problems logged, referred or solved
    by the secretary, resolved and rated, each step on or before `today`."""
    opens = first + timedelta(days=POSTED_AFTER_DAYS)
    span = max(1, (today - opens).days - 30)
    start = opens + timedelta(days=rng.randrange(span))
    end = start + timedelta(days=TERM_DAYS)
    unit = rng.choice(SENDING_UNITS)
    p, by = posting.number, posting.secretary
    steps = [Step(start, PostFirstSecretary(p, by, posting.enterprise, unit, start, end))]
    earliest = start + timedelta(days=LOG_AFTER_DAYS)
    last = min(today, end)
    window = max(1, (last - earliest).days + 1)
    for k in range(problems):
        number = p * 1_000 + k  # a problem's number, unique in the district
        logged = earliest + timedelta(days=rng.randrange(window))
        category = rng.choice(CATEGORIES)
        text = rng.choice(REQUESTS[category])
        steps.append(Step(logged, LogProblem(number, p, category, text.description), by))
        solved = logged + timedelta(days=rng.randint(2, 15))
        if rng.random() < REFERRED_SHARE:
            referred = logged + timedelta(days=rng.randint(1, 2))
            departments = text.departments[: rng.choice((1, 1, 2))]
            if referred <= last:
                steps.append(Step(referred, ReferProblem(number, departments), by))
            solved = max(solved, referred + timedelta(days=1))
        rated = solved + timedelta(days=rng.randint(1, 5))
        if solved <= last:
            steps.append(Step(solved, SolveProblem(number, p, text.resolution), by))
        if rated <= last:
            steps.append(Step(rated, RateProblem(number, rng.choice(SATISFACTION)), by))
    return steps
