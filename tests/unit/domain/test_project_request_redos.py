"""A rating of 1 or 2 reopens a request (a redo), due anew from the day rated."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from cso.domain.enums import CalendarSource, RequestCategory, RequestStatus
from cso.domain.project import Project
from cso.domain.request_rules import RequestAlreadyRated
from tests.request_desk import RequestDesk

FIRE = "Fire Brigade"


@pytest.fixture
def project(project: Project) -> RequestDesk:
    """The conftest's project, with the requests it raises at hand."""
    return RequestDesk(project)


def answered_permit(project: RequestDesk, today: date) -> UUID:
    request_id = project.raise_request(RequestCategory.PERMIT, "Fire permit", today=today)
    project.refer_request(request_id, [FIRE])
    project.resolve_request(request_id, "Issued", today=today)
    return request_id


@pytest.mark.parametrize("satisfaction", [1, 2])
def test_a_low_rating_reopens_the_request_due_anew_from_that_day(
    project: RequestDesk, today: date, satisfaction: int
) -> None:
    request_id = answered_permit(project, today)
    rated_on = today + timedelta(days=2)  # a Monday (today is a Saturday)
    project.rate_request(request_id, satisfaction, rated_on)
    request = project.request(request_id)
    assert (request.status, request.departments, request.resolution) == (
        RequestStatus.OPEN,
        [],
        None,
    )
    assert request.redo_count == 1
    assert request.due_on == rated_on + timedelta(days=7)  # five working days, weekends only
    assert request.satisfaction == satisfaction
    redone = request.collect_events()[-1]
    assert (redone.due_on, redone.reopened_on) == (request.due_on, rated_on)
    assert redone.calendar_source is CalendarSource.WEEKENDS_ONLY


def test_a_rating_of_three_does_not_reopen(project: RequestDesk, today: date) -> None:
    request_id = answered_permit(project, today)
    project.rate_request(request_id, 3, today)
    request = project.request(request_id)
    assert (request.status, request.redo_count) == (RequestStatus.RESOLVED, 0)
    with pytest.raises(RequestAlreadyRated):
        project.rate_request(request_id, 1, today)


def test_a_redone_request_is_answered_and_rated_anew_counting_each_redo(
    project: RequestDesk, today: date
) -> None:
    request_id = answered_permit(project, today)
    project.rate_request(request_id, 1, today)
    project.resolve_request(request_id, "Issued again", today=today)
    assert project.request(request_id).satisfaction is None
    project.rate_request(request_id, 2, today)
    project.resolve_request(request_id, "Issued a third time", today=today)
    project.rate_request(request_id, 5, today)
    request = project.request(request_id)
    assert (request.status, request.redo_count, request.satisfaction) == (
        RequestStatus.RESOLVED,
        2,
        5,
    )
