"""Who is each project's CSO, and when: first assignments, a transfer, reassignments."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cso.domain.enums import Milestone, OfficerRole
from cso.seed import phrases
from cso.seed.calendar import Timeline, between
from cso.seed.data import LEAVER_DESTINATION, OFFICERS

ASSIGN_WITHIN_DAYS = 7
LEAVES_DAYS_AGO = (100, 160)
# The leaving officer takes no new project in the month before leaving.
NO_NEW_WORK_BEFORE_LEAVING = timedelta(days=30)
REASSIGNMENTS = 2


@dataclass(frozen=True, slots=True)
class Term:
    officer: int
    start: date
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Departure:
    officer: int
    on: date


@dataclass(frozen=True, slots=True)
class Staffing:
    terms: Mapping[int, tuple[Term, ...]]  # by project; projects without a CSO are absent
    departure: Departure


def cso_at(terms: Sequence[Term], on: date) -> int | None:
    current = None
    for term in terms:
        if term.start <= on:
            current = term.officer
    return current


def plan_staffing(rng: random.Random, timelines: Mapping[int, Timeline], today: date) -> Staffing:
    """`timelines` holds the projects that get a CSO."""
    pool = [i for i, o in enumerate(OFFICERS) if OfficerRole.CSO in o.roles and o.party_member]
    leaver = next(i for i, o in enumerate(OFFICERS) if o.leaves)
    leaves_on = today - timedelta(days=rng.randint(*LEAVES_DAYS_AGO))
    terms: dict[int, list[Term]] = {}
    starts = {p: _first_start(rng, timeline) for p, timeline in timelines.items()}
    for p in sorted(starts, key=lambda p: (starts[p], p)):
        staying = starts[p] < leaves_on - NO_NEW_WORK_BEFORE_LEAVING
        candidates = [o for o in pool if o != leaver or staying]
        terms[p] = [Term(_least_loaded(rng, candidates, terms, timelines, starts[p]), starts[p])]
    others = [o for o in pool if o != leaver]
    for p in sorted(terms):
        if cso_at(terms[p], leaves_on) == leaver and timelines[p].end > leaves_on:
            successor = _least_loaded(rng, others, terms, timelines, leaves_on)
            reason = phrases.DEPARTURE_REASON.format(
                leaver=OFFICERS[leaver].name,
                destination=LEAVER_DESTINATION,
                successor=OFFICERS[successor].name,
            )
            terms[p].append(Term(successor, leaves_on, reason))
    _reassign(rng, terms, timelines, starts, others, today)
    return Staffing({p: tuple(t) for p, t in terms.items()}, Departure(leaver, leaves_on))


def _first_start(rng: random.Random, timeline: Timeline) -> date:
    room = (timeline.first_event - timeline.signed_on).days - 3
    return timeline.signed_on + timedelta(
        days=rng.randint(1, max(1, min(ASSIGN_WITHIN_DAYS, room)))
    )


def _reassign(
    rng: random.Random,
    terms: dict[int, list[Term]],
    timelines: Mapping[int, Timeline],
    starts: Mapping[int, date],
    officers: list[int],
    today: date,
) -> None:
    """A couple of ordinary reassignments, on open projects under construction for a while."""
    latest = today - timedelta(days=30)
    earliest: dict[int, date] = {}
    for p in sorted(terms):
        building = timelines[p].on(Milestone.CONSTRUCTION_STARTED)
        if building is not None and not timelines[p].closed and len(terms[p]) == 1:
            earliest[p] = max(building, starts[p] + timedelta(days=90))
    eligible = [p for p, day in earliest.items() if day <= latest]
    reasons = rng.sample(phrases.REASSIGNMENT_REASONS, REASSIGNMENTS)
    chosen = rng.sample(eligible, min(REASSIGNMENTS, len(eligible)))
    for p, reason in zip(chosen, reasons[: len(chosen)], strict=True):
        on = between(rng, earliest[p], latest)
        current = terms[p][-1].officer
        successor = _least_loaded(rng, [o for o in officers if o != current], terms, timelines, on)
        terms[p].append(Term(successor, on, reason))


def _least_loaded(
    rng: random.Random,
    candidates: list[int],
    terms: Mapping[int, list[Term]],
    timelines: Mapping[int, Timeline],
    on: date,
) -> int:
    """The candidate holding the fewest open projects on `on` (ties drawn at random)."""
    load = dict.fromkeys(candidates, 0)
    for p, project_terms in terms.items():
        holder = cso_at(project_terms, on)
        if holder in load and timelines[p].end > on:
            load[holder] += 1
    ties = {o: rng.random() for o in candidates}
    return min(candidates, key=lambda o: (load[o], ties[o]))
