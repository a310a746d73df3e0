"""When things happen to a project: signing, milestones with realistic gaps, closing."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from cso.domain.enums import Milestone
from cso.seed.data import StageMix

# Nobody's story starts more than about two years ago.
MAX_AGE_DAYS = 720
# Days from the previous milestone to this one.
GAP_DAYS: dict[Milestone, tuple[int, int]] = {
    Milestone.SITE_SELECTED: (25, 80),
    Milestone.LAND_DELIVERED: (60, 160),
    Milestone.CONSTRUCTION_STARTED: (10, 60),
    Milestone.COMPLETED: (180, 360),
    Milestone.OPERATING: (20, 75),
}
# 交地即开工: construction starts the day the land is delivered.
SAME_DAY_START_SHARE = 0.35
MIN_FIRST_GAP = 15
# Days the project has spent since its last milestone (open projects).
WAITING_DAYS = (10, 90)
WAITING_SIGNED = (8, 45)
WAITING_UNSTAFFED = (1, 10)
WAITING_OPERATING = (10, 120)
# Closed projects: from the last milestone to closing, and since closing.
CLOSING_DAYS = (20, 120)
SINCE_CLOSING_DAYS = (5, 90)


@dataclass(frozen=True, slots=True)
class Timeline:
    signed_on: date
    reached: tuple[tuple[Milestone, date], ...]  # after SIGNED, in order
    end: date  # the day it closed, or today
    closed: bool

    def on(self, milestone: Milestone) -> date | None:
        if milestone is Milestone.SIGNED:
            return self.signed_on
        return next((on for m, on in self.reached if m is milestone), None)

    @property
    def first_event(self) -> date:
        """The first day after signing on which something is fixed: a milestone or the end."""
        return self.reached[0][1] if self.reached else self.end

    @property
    def age(self) -> int:
        return (self.end - self.signed_on).days


def between(rng: random.Random, lo: date, hi: date) -> date:
    """A day from lo to hi inclusive (lo when the range is empty)."""
    return lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days)))


def plan_timeline(rng: random.Random, mix: StageMix, today: date) -> Timeline:
    milestones = list(Milestone)[1 : mix.stage.rank + 1]
    gaps = [_gap(rng, m) for m in milestones]
    if mix.outcome is None:
        tail = [rng.randint(*_waiting(mix))]
    else:
        tail = [rng.randint(*CLOSING_DAYS), rng.randint(*SINCE_CLOSING_DAYS)]
    gaps, tail = _fit(gaps, tail)
    signed_on = today - timedelta(days=sum(gaps) + sum(tail))
    reached = []
    on = signed_on
    for milestone, gap in zip(milestones, gaps, strict=True):
        on += timedelta(days=gap)
        reached.append((milestone, on))
    closed = mix.outcome is not None
    end = on + timedelta(days=tail[0]) if closed else today
    return Timeline(signed_on, tuple(reached), end, closed)


def _gap(rng: random.Random, milestone: Milestone) -> int:
    if milestone is Milestone.CONSTRUCTION_STARTED and rng.random() < SAME_DAY_START_SHARE:
        return 0
    return rng.randint(*GAP_DAYS[milestone])


def _waiting(mix: StageMix) -> tuple[int, int]:
    if not mix.staffed:
        return WAITING_UNSTAFFED
    if mix.stage is Milestone.SIGNED:
        return WAITING_SIGNED
    if mix.stage is Milestone.OPERATING:
        return WAITING_OPERATING
    return WAITING_DAYS


def _fit(gaps: list[int], tail: list[int]) -> tuple[list[int], list[int]]:
    """Shrink every interval in proportion so that signing lies within MAX_AGE_DAYS."""
    total = sum(gaps) + sum(tail)
    if total <= MAX_AGE_DAYS:
        return gaps, tail
    factor = MAX_AGE_DAYS / total

    def scaled(days: int) -> int:
        return 0 if days == 0 else max(1, int(days * factor))

    fitted = [scaled(gap) for gap in gaps]
    if fitted:
        fitted[0] = max(MIN_FIRST_GAP, fitted[0])
    return fitted, [scaled(days) for days in tail]
