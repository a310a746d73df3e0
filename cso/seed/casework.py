"""A project's steps: registration, CSO terms, plan, milestones, services, closing."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from cso.domain.enums import RequestCategory, ServiceKind
from cso.seed import phrases
from cso.seed.calendar import between
from cso.seed.enterprise_requests import Pending, request_steps
from cso.seed.project_actions import (
    AssignCso,
    CloseProject,
    CompleteServiceItem,
    ReachMilestone,
    RecordService,
    RegisterProject,
    SetServicePlan,
)
from cso.seed.steps import Step
from cso.seed.story import Story, pick_fresh

PLAN_WITHIN_DAYS = 3
FIRST_VISIT_WITHIN_DAYS = 2
PREPARATION_DAYS = 10  # services leading up to a milestone happen in the days before it
BOTH_PREPARATIONS_SHARE = 0.3
EXTRA_SERVICES = (1, 2)
EXTRA_SERVICE_EVERY_DAYS = 240
FREE_ITEM_DONE_SHARE = 0.5
FREE_ITEM_AFTER_DAYS = 20


def story_steps(
    rng: random.Random,
    story: Story,
    *,
    kind_hint: ServiceKind,
    category_hint: RequestCategory,
    pending: Pending | None,
    today: date,
) -> list[Step]:
    """Every step of the story, in date order (same-day steps in the order they must run)."""
    registration = RegisterProject(
        story.project,
        story.row.enterprise,
        story.enterprise.chain,
        story.row.name,
        Decimal(story.row.investment),
    )
    steps = [Step(story.timeline.signed_on, registration)]
    for term in story.terms:
        steps.append(Step(term.start, AssignCso(story.project, term.officer), None, term.reason))
    if story.terms:
        steps += _plan_and_milestones(rng, story)
        steps += _services(rng, story, kind_hint)
        steps += request_steps(rng, story, category_hint, pending, today)
    if story.mix.outcome is not None:
        reason = rng.choice(phrases.CLOSE_REASONS[story.mix.outcome])
        steps.append(
            story.by_cso(story.end, CloseProject(story.project, story.mix.outcome), reason)
        )
    return sorted(steps, key=lambda step: step.on)


def _plan_and_milestones(rng: random.Random, story: Story) -> list[Step]:
    start, end, p = _start(story), story.end, story.project
    items = [*phrases.CORE_PLAN, *rng.sample(phrases.OPTIONAL_PLAN, rng.randint(1, 2))]
    planned_on = min(start + timedelta(days=rng.randint(0, PLAN_WITHIN_DAYS)), end)
    steps = [story.by_cso(planned_on, SetServicePlan(p, tuple(items)))]
    for milestone, on in story.timeline.reached:
        steps.append(story.by_cso(on, ReachMilestone(p, milestone)))
        if milestone is phrases.ITEM_DONE_AT[phrases.AGENCY]:
            items.append(phrases.ACCEPTANCE)  # the plan grows once construction starts
            steps.append(story.by_cso(on, SetServicePlan(p, tuple(items))))
    for item in items:
        done_at = phrases.ITEM_DONE_AT.get(item)
        if done_at is not None:
            on_milestone = story.timeline.on(done_at)
            if on_milestone is not None:
                steps.append(story.by_cso(on_milestone, CompleteServiceItem(p, item)))
            continue
        earliest = planned_on + timedelta(days=FREE_ITEM_AFTER_DAYS)
        if earliest <= end and rng.random() < FREE_ITEM_DONE_SHARE:
            steps.append(story.by_cso(between(rng, earliest, end), CompleteServiceItem(p, item)))
    return steps


def _services(rng: random.Random, story: Story, kind_hint: ServiceKind) -> list[Step]:
    start, end, p = _start(story), story.end, story.project
    first = between(rng, start, min(start + timedelta(days=FIRST_VISIT_WITHIN_DAYS), end))
    kinds_and_texts = [(first, ServiceKind.VISIT, phrases.FIRST_VISIT)]
    for milestone, on in story.timeline.reached:
        options = phrases.BEFORE_MILESTONE[milestone]
        both = rng.random() < BOTH_PREPARATIONS_SHARE
        chosen = options if both else (rng.choice(options),)
        for kind, text in chosen:
            lo = max(start, on - timedelta(days=PREPARATION_DAYS))
            kinds_and_texts.append((between(rng, lo, on), kind, text))
    extras = rng.randint(*EXTRA_SERVICES) + story.timeline.age // EXTRA_SERVICE_EVERY_DAYS
    kinds = [kind_hint, *(rng.choice(list(ServiceKind)) for _ in range(extras))]
    used: set[str] = set()
    for kind in kinds:
        on = between(rng, start, end)
        stage = story.stage_on(on)
        fitting = [
            text
            for text, since, until in phrases.ANYTIME[kind]
            if phrases.fits(stage, since, until)
        ]
        kinds_and_texts.append((on, kind, pick_fresh(rng, fitting, used, str)))
    return [
        story.by_cso(on, RecordService(p, kind, story.fill(text)))
        for on, kind, text in kinds_and_texts
    ]


def _start(story: Story) -> date:
    if story.start is None:
        raise ValueError(f"project {story.project} has no CSO")
    return story.start
