"""A supervisor extends a request's due date by working days, with a reason."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from cso.domain.enums import CalendarSource, RequestCategory
from cso.domain.errors import InvalidValue
from cso.domain.project import Project
from cso.domain.request_rules import RequestAlreadyResolved
from cso.domain.working_days import year_calendar
from tests.request_desk import RequestDesk

SUPERVISOR = uuid4()


@pytest.fixture
def project(project: Project) -> RequestDesk:
    """The conftest's project, with the requests it raises at hand."""
    return RequestDesk(project)


def permit(project: RequestDesk, today: date) -> UUID:
    return project.raise_request(RequestCategory.PERMIT, "Fire permit is stuck", today=today)


def test_an_extension_counts_working_days_after_the_current_due_date(
    project: RequestDesk, today: date
) -> None:
    request_id = permit(project, today)
    due_on = project.request(request_id).due_on
    assert due_on.weekday() == 4  # weekends only, received on a Saturday: due on a Friday
    new_due = project.extend_request_deadline(request_id, 2, " Waiting for a survey ", SUPERVISOR)
    assert new_due == due_on + timedelta(days=4)  # Monday, Tuesday
    assert project.request(request_id).due_on == new_due
    extended = project.request(request_id).collect_events()[-1]
    assert (extended.working_days, extended.reason, extended.by) == (  # type: ignore[attr-defined]
        2,
        "Waiting for a survey",
        SUPERVISOR,
    )


def test_the_new_due_date_and_its_calendar_are_in_the_event(
    project: RequestDesk, today: date
) -> None:
    request_id = permit(project, today)
    due_on = project.request(request_id).due_on
    holiday = due_on + timedelta(days=3)  # the Monday after
    official = year_calendar(holiday.year, CalendarSource.OFFICIAL, "official v1", [holiday])
    project.extend_request_deadline(request_id, 1, "Holiday", None, lambda year: official)
    event = project.request(request_id).collect_events()[-1]
    assert event.due_on == due_on + timedelta(days=4)  # past the holiday Monday
    assert event.calendar_source is CalendarSource.OFFICIAL
    assert event.calendar_version == f"{holiday.year}:OFFICIAL:official v1"


@pytest.mark.parametrize(
    ("days", "reason", "field"),
    [(0, "r", "workingDays"), (31, "r", "workingDays"), (3, " ", "reason"), (3, None, "reason")],
)
def test_an_extension_needs_one_to_thirty_days_and_a_reason(
    project: RequestDesk, today: date, days: int, reason: str | None, field: str
) -> None:
    request_id = permit(project, today)
    with pytest.raises(InvalidValue) as refused:
        project.extend_request_deadline(request_id, days, reason, SUPERVISOR)
    assert refused.value.field == field


def test_a_resolved_request_is_not_extended(project: RequestDesk, today: date) -> None:
    request_id = permit(project, today)
    project.resolve_request(request_id, "Issued", today)
    with pytest.raises(RequestAlreadyResolved):
        project.extend_request_deadline(request_id, 3, "Late", SUPERVISOR)
