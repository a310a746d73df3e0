"""The whole seed as dated steps, drawn from one random generator: same seed, same steps."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from cso.domain.enums import RequestCategory, ServiceKind
from cso.seed import phrases
from cso.seed.calendar import plan_timeline
from cso.seed.casework import story_steps
from cso.seed.codes import credit_codes
from cso.seed.data import (
    CHAINS,
    ENTERPRISES,
    LEAVER_DESTINATION,
    OFFICERS,
    PARTY_UPDATES,
    PROJECTS,
    ROLE_CHANGE,
    STAGE_MIX,
)
from cso.seed.enterprise_requests import Pending
from cso.seed.housing import housing_steps
from cso.seed.postings import posting_setup_steps, posting_steps
from cso.seed.setup_actions import (
    ChangeOfficerRoles,
    DeactivateOfficer,
    DesignateChainMaster,
    EstablishChain,
    RecordPartyOrganization,
    RegisterEnterprise,
    RegisterOfficer,
)
from cso.seed.staffing import Departure, plan_staffing
from cso.seed.steps import Step
from cso.seed.story import Story
from cso.seed.working_calendar import calendar_steps

SETUP_LEAD_DAYS = 30  # officers, chains and enterprises are in place before the first signing
PENDING_MIX = (
    (Pending.OVERDUE, 2),
    (Pending.OVERDUE_REFERRED, 2),
    (Pending.OVERDUE_JOINT, 2),
    (Pending.FRESH, 2),
    (Pending.FRESH_REFERRED, 2),
)
# An overdue request is raised up to 35 days ago, after its project's CSO arrived.
OVERDUE_NEEDS_CSO_SINCE_DAYS = 40


def make_plan(rng_seed: int, today: date) -> list[Step]:
    """Setup steps first, then the district's history day by day up to `today`."""
    setup, history = plan_parts(rng_seed, today)
    return [*setup, *history]


def plan_parts(rng_seed: int, today: date) -> tuple[list[Step], list[Step]]:
    """The setup steps (all on the first day), and the history after them, by date."""
    rng = random.Random(rng_seed)
    stories, departure = _stories(rng, today)
    pending = _pending(rng, stories, today)
    kinds, categories = list(ServiceKind), list(RequestCategory)
    history: list[Step] = []
    for story in stories:
        history += story_steps(
            rng,
            story,
            kind_hint=kinds[story.project % len(kinds)],
            category_hint=categories[story.project % len(categories)],
            pending=pending.get(story.project),
            today=today,
        )
    # After the project steps, so that on the same day they run after them (a stable sort).
    history += _supervision(rng, today, departure)
    history += calendar_steps(today)
    history += posting_steps(rng_seed, today)
    history += housing_steps(rng_seed, today)
    setup_on = min(s.timeline.signed_on for s in stories) - timedelta(days=SETUP_LEAD_DAYS)
    setup = [*_setup(rng, setup_on), *posting_setup_steps(rng_seed, setup_on)]
    history = sorted(history, key=lambda step: step.on)
    if any(step.on > today for step in history) or any(step.on > setup_on for step in setup):
        raise AssertionError("a seed step is dated after today")
    return setup, history


def _stories(rng: random.Random, today: date) -> tuple[list[Story], Departure]:
    mixes = [mix for mix in STAGE_MIX for _ in range(mix.count)]
    if len(mixes) != len(PROJECTS):
        raise AssertionError("the stage mix must cover every project exactly once")
    rng.shuffle(mixes)
    timelines = [plan_timeline(rng, mix, today) for mix in mixes]
    staffed = {p: timelines[p] for p, mix in enumerate(mixes) if mix.staffed}
    staffing = plan_staffing(rng, staffed, today)
    stories = [
        Story(
            p, row, ENTERPRISES[row.enterprise], mixes[p], timelines[p], staffing.terms.get(p, ())
        )
        for p, row in enumerate(PROJECTS)
    ]
    return stories, staffing.departure


def _pending(rng: random.Random, stories: Sequence[Story], today: date) -> dict[int, Pending]:
    """Which open projects have an unanswered request today, and how it stands."""
    seasoned_since = today - timedelta(days=OVERDUE_NEEDS_CSO_SINCE_DAYS)
    candidates = [s for s in stories if s.start is not None and not s.timeline.closed]
    seasoned = [s.project for s in candidates if s.start is not None and s.start <= seasoned_since]
    wanted = [kind for kind, count in PENDING_MIX for _ in range(count)]
    overdue = [kind for kind in wanted if kind.overdue]
    fresh = [kind for kind in wanted if not kind.overdue]
    chosen = dict(zip(rng.sample(seasoned, len(overdue)), overdue, strict=True))
    rest = [s.project for s in candidates if s.project not in chosen]
    chosen.update(zip(rng.sample(rest, len(fresh)), fresh, strict=True))
    return chosen


def _setup(rng: random.Random, on: date) -> list[Step]:
    """What a supervisor registers before the story starts."""
    codes = credit_codes(rng, ENTERPRISES)
    steps = [Step(on, RegisterOfficer(i, row)) for i, row in enumerate(OFFICERS)]
    steps += [Step(on, EstablishChain(row)) for row in CHAINS]
    steps += [
        Step(on, RegisterEnterprise(i, row, code))
        for i, (row, code) in enumerate(zip(ENTERPRISES, codes, strict=True))
    ]
    steps += [
        Step(on, DesignateChainMaster(row.chain, i))
        for i, row in enumerate(ENTERPRISES)
        if row.master and row.chain is not None
    ]
    steps += [
        Step(on, RecordPartyOrganization(i, *row.party))
        for i, row in enumerate(ENTERPRISES)
        if row.party is not None
    ]
    return steps


def _supervision(rng: random.Random, today: date, departure: Departure) -> list[Step]:
    """A supervisor's later steps: a new role, new party organisations, a transfer."""
    officer, roles, days_ago, reason = ROLE_CHANGE
    steps = [
        Step(
            today - timedelta(days=rng.randint(*days_ago)),
            ChangeOfficerRoles(officer, roles),
            reason=reason,
        )
    ]
    for update in PARTY_UPDATES:
        steps.append(
            Step(
                today - timedelta(days=rng.randint(*update.days_ago)),
                RecordPartyOrganization(update.enterprise, update.kind, update.member_count),
                reason=update.reason,
            )
        )
    reason = phrases.DEACTIVATION_REASON.format(destination=LEAVER_DESTINATION)
    steps.append(Step(departure.on, DeactivateOfficer(departure.officer), reason=reason))
    return steps
