"""A project's requests (诉求): most answered and rated, some still open, some overdue.

A request's due date counts from the day it is raised, which is the clock's day when
the step runs; raising a request long enough ago is what makes it overdue today.
"""

from __future__ import annotations

import enum
import random
from datetime import date, timedelta

from cso.domain.enums import RequestCategory
from cso.domain.request_rules import is_redo
from cso.seed.calendar import between
from cso.seed.phrases import fits
from cso.seed.project_actions import (
    ExtendRequest,
    RaiseRequest,
    RateRequest,
    ReferRequest,
    ResolveRequest,
    ReturnRequest,
)
from cso.seed.request_texts import (
    EXTENSION_REASONS,
    REQUESTS,
    RETURN_REASONS,
    SATISFACTION_WEIGHTS,
    RequestText,
)
from cso.seed.steps import Step
from cso.seed.story import Story, pick_fresh

ANSWERED_EVERY_DAYS = 240
MAX_ANSWERED = 3
ROOM_TO_ANSWER_DAYS = 25  # an answered request is raised at least this long before the end
JOINT_SHARE = 0.25
REFERRED_SHARE = 0.6  # including the joint ones
LATE_SHARE = 0.15
LATE_BY_DAYS = 12
RATED_SHARE = 0.8
RATED_WITHIN_DAYS = 7
RETURNED_SHARE = 0.2  # of the referred ones: a department sends it back first
EXTENDED_SHARE = 0.5  # of the late ones: a supervisor gave more time (not always enough)
EXTENSION_DAYS = (2, 5)
OVERDUE_BY_DAYS = (2, 25)


class Pending(enum.Enum):
    """How the one unanswered request of a project stands today."""

    OVERDUE = "overdue, still open"
    OVERDUE_REFERRED = "overdue, referred to a department"
    OVERDUE_JOINT = "overdue, referred to several departments"
    FRESH = "within its due date, open"
    FRESH_REFERRED = "within its due date, referred"

    @property
    def overdue(self) -> bool:
        return self.name.startswith("OVERDUE")

    @property
    def referred(self) -> bool:
        return self is not Pending.OVERDUE and self is not Pending.FRESH

    @property
    def joint(self) -> bool:
        return self is Pending.OVERDUE_JOINT


def request_steps(
    rng: random.Random,
    story: Story,
    category_hint: RequestCategory,
    pending: Pending | None,
    today: date,
) -> list[Step]:
    start = story.start
    if start is None:
        return []
    lo = start + timedelta(days=1)
    hi = story.end - timedelta(days=ROOM_TO_ANSWER_DAYS)
    answered = (
        0 if hi < lo else 1 + min(MAX_ANSWERED - 1, story.timeline.age // ANSWERED_EVERY_DAYS)
    )
    categories = [category_hint, *(rng.choice(list(RequestCategory)) for _ in range(answered))]
    steps: list[Step] = []
    used: set[str] = set()
    for number in range(answered):
        raised_on = between(rng, lo, hi)
        text = _text(rng, story, categories[number], raised_on, used)
        steps += _answered(rng, story, number, categories[number], raised_on, text)
    if pending is not None:
        raised_on = _pending_since(rng, categories[answered], pending, start, today)
        text = _text(rng, story, categories[answered], raised_on, used, joint=pending.joint)
        steps += _unanswered(rng, story, answered, categories[answered], raised_on, text, pending)
    return steps


def _text(
    rng: random.Random,
    story: Story,
    category: RequestCategory,
    raised_on: date,
    used: set[str],
    *,
    joint: bool = False,
) -> RequestText:
    """What the enterprise asks: something that fits how far the project has got."""
    stage = story.stage_on(raised_on)
    fitting = [t for t in REQUESTS[category] if fits(stage, t.since, t.until)]
    if joint:
        fitting = [t for t in fitting if len(t.departments) > 1] or fitting
    return pick_fresh(rng, fitting, used, lambda t: t.description)


def _answered(
    rng: random.Random,
    story: Story,
    number: int,
    category: RequestCategory,
    raised_on: date,
    text: RequestText,
) -> list[Step]:
    p = story.project
    steps = [story.by_cso(raised_on, RaiseRequest(p, number, category, text.description))]
    departments = _referral(rng, story, text)
    days = category.days_to_answer
    late = rng.random() < LATE_SHARE
    took = rng.randint(days + 1, days + LATE_BY_DAYS) if late else rng.randint(1, days)
    resolved_on = min(raised_on + timedelta(days=took), story.end)
    if departments:
        referred_on = raised_on + timedelta(days=rng.randint(0, 1))
        steps.append(story.by_cso(referred_on, ReferRequest(p, number, departments)))
        if referred_on < resolved_on and rng.random() < RETURNED_SHARE:
            steps += _returned(rng, story, number, departments, referred_on)
    if late and raised_on < resolved_on and rng.random() < EXTENDED_SHARE:
        extension = ExtendRequest(p, number, rng.randint(*EXTENSION_DAYS))
        steps.append(Step(raised_on, extension, None, rng.choice(EXTENSION_REASONS)))
    steps.append(story.by_cso(resolved_on, ResolveRequest(p, number, text.resolution)))
    rated_on = resolved_on + timedelta(days=rng.randint(1, RATED_WITHIN_DAYS))
    if rng.random() < RATED_SHARE and rated_on <= story.end:
        values, weights = zip(*SATISFACTION_WEIGHTS, strict=True)
        satisfaction = rng.choices(values, weights)[0]
        steps.append(story.by_cso(rated_on, RateRequest(p, number, satisfaction)))
        if is_redo(satisfaction):
            # The rating reopened it: the CSO answers it again before the story ends.
            redone_on = min(rated_on + timedelta(days=rng.randint(1, days)), story.end)
            steps.append(story.by_cso(redone_on, ResolveRequest(p, number, text.resolution)))
    return steps


def _returned(
    rng: random.Random, story: Story, number: int, departments: tuple[str, ...], on: date
) -> list[Step]:
    """The lead department sends it back the day it is referred; the CSO refers it again,
    to the others when it was handled jointly, else to the same department, clarified."""
    p, lead = story.project, departments[0]
    back = story.by_cso(on, ReturnRequest(p, number, lead), rng.choice(RETURN_REASONS))
    again = departments[1:] or departments
    return [back, story.by_cso(on, ReferRequest(p, number, again))]


def _referral(rng: random.Random, story: Story, text: RequestText) -> tuple[str, ...]:
    """Nothing (the CSO answers directly), one department (转办) or several (会办)."""
    departments = [story.fill(d) for d in text.departments]
    draw = rng.random()
    if draw < JOINT_SHARE and len(departments) > 1:
        return tuple(rng.sample(departments, rng.randint(2, len(departments))))
    if draw < REFERRED_SHARE:
        return (rng.choice(departments),)
    return ()


def _pending_since(
    rng: random.Random, category: RequestCategory, pending: Pending, start: date, today: date
) -> date:
    """Overdue: raised longer ago than the category allows; fresh: still within it.

    The allowance is in working days: fewer calendar days than it hold fewer working days,
    and twice as many plus a week hold more, even across a long holiday.
    """
    days = category.days_to_answer
    overdue_ago = 2 * days + 7 + rng.randint(*OVERDUE_BY_DAYS)
    ago = overdue_ago if pending.overdue else rng.randint(0, days - 1)
    return max(today - timedelta(days=ago), start)


def _unanswered(
    rng: random.Random,
    story: Story,
    number: int,
    category: RequestCategory,
    raised_on: date,
    text: RequestText,
    pending: Pending,
) -> list[Step]:
    p = story.project
    steps = [story.by_cso(raised_on, RaiseRequest(p, number, category, text.description))]
    departments = [story.fill(d) for d in text.departments]
    if pending.joint and len(departments) > 1:
        chosen = tuple(rng.sample(departments, rng.randint(2, len(departments))))
    elif pending.referred:
        chosen = (rng.choice(departments),)
    else:
        chosen = ()
    if chosen:
        # Referred within two days, and never after today.
        latest = min(raised_on + timedelta(days=2), story.end)
        steps.append(story.by_cso(between(rng, raised_on, latest), ReferRequest(p, number, chosen)))
    return steps
