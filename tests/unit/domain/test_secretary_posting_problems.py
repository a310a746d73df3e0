"""A first secretary's problems (急难愁盼): enterprise requests logged on a posting, one rule
a test. The posting keeps the open ones' ids; it ends only when none is open."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from cso.domain.enterprise_request import EnterpriseRequest
from cso.domain.enums import CalendarSource, RequestCategory, RequestSource, RequestStatus
from cso.domain.errors import InvalidValue
from cso.domain.secretary_posting import (
    DateNotAllowed,
    OpenProblemsRemain,
    PostingEnded,
    SecretaryPosting,
)
from cso.domain.working_days import weekends_only, year_calendar
from tests.unit.domain.test_secretary_posting import END, START, TODAY, post


def log(posting: SecretaryPosting, on: date = TODAY) -> EnterpriseRequest:
    return posting.log_problem(RequestCategory.POLICY, "高企认定材料指导", on)


def event_names(posting: SecretaryPosting) -> list[str]:
    return [type(e).__name__ for e in posting.collect_events()]


def test_a_problem_is_an_enterprise_request_from_the_posting_and_its_enterprise() -> None:
    posting, _, company = post()
    problem = log(posting)
    assert problem.source is RequestSource.POSTING
    assert (problem.posting_id, problem.project_id) == (posting.id, None)
    assert problem.enterprise_id == company.id
    assert problem.status is RequestStatus.OPEN


def test_the_posting_keeps_the_problem_id_in_the_same_command() -> None:
    posting, _, _ = post()
    posting.collect_events()
    problem = log(posting)
    assert posting.open_request_ids == [problem.id]
    assert event_names(posting) == ["ProblemOpened"]


def test_a_problem_defaults_to_today_and_is_due_in_working_days_as_a_projects_request() -> None:
    posting, _, _ = post()
    problem = posting.log_problem(RequestCategory.PERMIT, "消防验收", TODAY)
    # TODAY (2026-11-20) is a Friday; five working days later on weekends only.
    assert (problem.received_on, problem.due_on) == (TODAY, date(2026, 11, 27))
    assert problem.calendar_source is CalendarSource.WEEKENDS_ONLY


def test_a_problem_received_before_a_holiday_records_the_calendar_it_was_counted_on() -> None:
    posting, _, _ = post()
    golden_week = [date(2026, 10, day) for day in range(1, 8)]
    official = year_calendar(
        2026, CalendarSource.OFFICIAL, "official r1", golden_week, [date(2026, 10, 10)]
    )
    problem = posting.log_problem(
        RequestCategory.PERMIT, "消防验收", TODAY, date(2026, 9, 30), lambda _: official
    )
    assert problem.due_on == date(2026, 10, 13)
    raised = problem.collect_events()[0]
    assert raised.calendar_version == "2026:OFFICIAL:official r1"  # type: ignore[attr-defined]


def test_a_problem_is_not_received_in_the_future_nor_before_the_term() -> None:
    posting, _, _ = post()
    for received_on in (TODAY + timedelta(days=1), START - timedelta(days=1)):
        with pytest.raises(DateNotAllowed):
            posting.log_problem(RequestCategory.OTHER, "用工", TODAY, received_on)
    assert posting.open_request_ids == []


def test_a_problem_needs_a_description() -> None:
    posting, _, _ = post()
    with pytest.raises(InvalidValue):
        posting.log_problem(RequestCategory.OTHER, "  ", TODAY)


def test_no_problem_is_logged_on_an_ended_posting() -> None:
    posting, secretary, company = post()
    posting.end(TODAY, TODAY, secretary, company)
    with pytest.raises(PostingEnded):
        log(posting)


def test_a_posting_does_not_end_while_a_problem_is_open() -> None:
    posting, secretary, company = post()
    log(posting)
    with pytest.raises(OpenProblemsRemain):
        posting.end(TODAY, TODAY, secretary, company)
    assert posting.active and secretary.active_posting_id == posting.id


def test_solving_a_problem_forgets_its_id_and_frees_the_end() -> None:
    posting, secretary, company = post()
    problem = log(posting)
    problem.resolve("已上门辅导", TODAY, posting)
    assert posting.open_request_ids == []
    posting.end(TODAY, TODAY, secretary, company)
    assert not posting.active


def test_a_low_rating_reopens_the_problem_on_an_active_posting() -> None:
    posting, _, _ = post()
    problem = log(posting)
    problem.resolve("已答复", TODAY, posting)
    problem.rate(2, TODAY, posting, weekends_only)
    assert problem.status is RequestStatus.OPEN and problem.redo_count == 1
    assert posting.open_request_ids == [problem.id]


def test_no_redo_on_an_ended_posting_as_on_a_closed_project() -> None:
    posting, secretary, company = post()
    problem = log(posting)
    problem.resolve("已答复", TODAY, posting)
    posting.end(TODAY, TODAY, secretary, company)
    with pytest.raises(PostingEnded):
        problem.rate(1, TODAY, posting, weekends_only)
    problem.rate(4, TODAY, posting, weekends_only)  # a good rating is still taken
    assert problem.satisfaction == 4


def test_an_ended_posting_takes_no_referral_return_or_extension() -> None:
    posting, secretary, company = post()
    posting.end(TODAY, TODAY, secretary, company)
    with pytest.raises(PostingEnded):
        posting.ensure_takes_requests()


def test_the_request_changes_before_the_posting_records_it_so_replays_agree() -> None:
    posting, _, _ = post()
    problem = log(posting)
    posting.collect_events(), problem.collect_events()
    problem.resolve("已答复", TODAY, posting)
    problem.rate(1, TODAY, posting, weekends_only)
    resolved, rated, redone = problem.collect_events()
    settled, reopened = posting.collect_events()
    assert (type(settled).__name__, type(reopened).__name__) == ("ProblemSettled", "ProblemOpened")
    assert resolved.timestamp <= settled.timestamp
    assert rated.timestamp <= redone.timestamp <= reopened.timestamp


def test_a_problem_received_after_the_term_ended_is_refused_as_a_visit_is() -> None:
    posting, _, _ = post()
    later = END + timedelta(days=10)  # the term has ended; the posting is not ended yet
    with pytest.raises(DateNotAllowed, match="after the term ended"):
        posting.log_problem(RequestCategory.OTHER, "用工", later, END + timedelta(days=1))
    assert posting.open_request_ids == []


def test_settling_an_id_the_posting_does_not_keep_records_nothing() -> None:
    posting, _, _ = post()
    problem = log(posting)
    posting.collect_events()
    posting.settle_request(uuid.uuid4())
    assert posting.collect_events() == []
    assert posting.open_request_ids == [problem.id]


def test_each_problem_event_carries_the_open_count_after_it() -> None:
    posting, _, _ = post()
    first, second = log(posting), log(posting)
    first.resolve("已答复", TODAY, posting)
    counts = [(type(e).__name__, e.open_count) for e in posting.collect_events()[1:]]
    assert counts == [("ProblemOpened", 1), ("ProblemOpened", 2), ("ProblemSettled", 1)]
    assert posting.open_request_ids == [second.id]
