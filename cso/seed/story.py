"""One project's story: what it is, when things happen to it, and who its CSO is."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from cso.domain.enums import Milestone
from cso.seed.calendar import Timeline
from cso.seed.data import EnterpriseRow, ProjectRow, StageMix
from cso.seed.staffing import Term, cso_at
from cso.seed.steps import Action, Step

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Story:
    project: int
    row: ProjectRow
    enterprise: EnterpriseRow
    mix: StageMix
    timeline: Timeline
    terms: tuple[Term, ...]  # empty while the project has no CSO

    @property
    def start(self) -> date | None:
        """The day the first CSO was assigned."""
        return self.terms[0].start if self.terms else None

    @property
    def end(self) -> date:
        return self.timeline.end

    def stage_on(self, on: date) -> Milestone:
        """The latest milestone reached by the end of that day."""
        reached = [milestone for milestone, day in self.timeline.reached if day <= on]
        return reached[-1] if reached else Milestone.SIGNED

    def fill(self, template: str) -> str:
        return template.format(
            enterprise=self.enterprise.name,
            park=self.enterprise.park,
            district=self.enterprise.district,
            project=self.row.name,
        )

    def by_cso(self, on: date, action: Action, reason: str | None = None) -> Step:
        """A step taken by whoever is the CSO on that day."""
        officer = cso_at(self.terms, on)
        if officer is None:
            raise ValueError(f"project {self.project} has no CSO on {on}")
        return Step(on, action, officer, reason)


def pick_fresh(
    rng: random.Random, options: Sequence[T], used: set[str], text: Callable[[T], str]
) -> T:
    """A random option whose text the story has not used yet (any option when all are used)."""
    fresh = [option for option in options if text(option) not in used]
    choice = rng.choice(fresh or options)
    used.add(text(choice))
    return choice
