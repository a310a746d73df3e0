from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from cso.seed.district import BatchCorrelation, DistrictPlan, DistrictScale, district_plan
from cso.seed.district_cases import RegisterProject
from cso.seed.posting_problems import LogProblem
from cso.seed.project_actions import RaiseRequest
from cso.seed.setup_actions import RegisterEnterprise, RegisterOfficer
from cso.seed.steps import Step

TODAY = date(2026, 5, 10)
START = TODAY - timedelta(days=760)
SCALE = DistrictScale(0.01)  # 400 enterprises, 50 projects, 20 secretaries, 1,000 requests
# Fields of an action that name a stream it appends to (an officer's under either name).
WRITES = {"project": "project", "officer": "officer", "caso": "officer", "posting": "posting",
          "applicant": "applicant", "unit": "unit", "problem": "problem"}  # fmt: skip


@pytest.fixture(scope="module")
def plan() -> DistrictPlan:
    return district_plan(2026, SCALE, START, TODAY)


def streams_written(step: Step) -> set[tuple[str, int]]:
    action = step.action
    found = {("officer", step.officer)} if step.officer is not None else set()
    for field, kind in WRITES.items():
        value = getattr(action, field, None)
        if isinstance(value, int):
            found.add((kind, value))
    enterprise = getattr(action, "enterprise", None)
    if isinstance(enterprise, int) and not isinstance(action, RegisterProject):
        found.add(("enterprise", enterprise))  # a project only reads its enterprise
    return found


def test_the_setup_registers_only_the_officers_and_the_enterprises(plan: DistrictPlan) -> None:
    kinds = Counter(type(step.action) for step in plan.setup)
    assert kinds == {
        RegisterOfficer: SCALE.csos + SCALE.casos + SCALE.secretaries,
        RegisterEnterprise: SCALE.enterprises,
    }


def test_no_two_lanes_append_to_the_same_stream(plan: DistrictPlan) -> None:
    owner: dict[tuple[str, int], int] = {}
    for n, lane in enumerate(plan.lanes):
        for step in lane:
            for stream in streams_written(step):
                assert owner.setdefault(stream, n) == n, stream


def test_projects_carry_about_three_requests_and_the_smes_the_rest(plan: DistrictPlan) -> None:
    steps = [step for lane in plan.lanes for step in lane]
    per_project = Counter(s.action.project for s in steps if isinstance(s.action, RaiseRequest))
    problems = sum(isinstance(s.action, LogProblem) for s in steps)
    assert len(per_project) == SCALE.projects
    assert set(per_project.values()) == {3}
    assert problems > 5 * sum(per_project.values())
    assert sum(per_project.values()) + problems >= 0.95 * SCALE.requests


def test_every_step_is_dated_by_today(plan: DistrictPlan) -> None:
    assert all(step.on <= TODAY for lane in plan.lanes for step in lane)


def test_shares_deal_every_lane_once_in_batch_order(plan: DistrictPlan) -> None:
    shares = plan.shares(4)
    assert len(shares) == 4
    dealt = Counter(id(step) for share in shares for step in share)
    assert dealt == Counter(id(step) for lane in plan.lanes for step in lane)
    sizes = sorted(len(share) for share in shares)
    assert sizes[-1] < 2 * sizes[0]  # dealt by size, not in a row
    for share in shares:
        weeks = [(step.on - plan.first).days // 7 for step in share]
        assert weeks == sorted(weeks)


def test_a_batch_is_one_actors_week_in_every_process() -> None:
    first = date(2024, 1, 1)
    correlation = BatchCorrelation(2026, first)
    monday = Step(first, RegisterOfficer(0, None), 7)  # type: ignore[arg-type]
    friday = Step(first + timedelta(days=4), RegisterOfficer(0, None), 7)  # type: ignore[arg-type]
    next_week = Step(first + timedelta(days=7), RegisterOfficer(0, None), 7)  # type: ignore[arg-type]
    other = Step(first, RegisterOfficer(0, None), 8)  # type: ignore[arg-type]
    assert correlation(1, monday) == correlation(9, friday)
    assert correlation(1, monday) == BatchCorrelation(2026, first)(5, monday)
    assert correlation(1, monday) not in {correlation(1, next_week), correlation(1, other)}
