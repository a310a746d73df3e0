from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from cso.domain.enums import CalendarSource, RequestCategory, RequestStatus
from cso.domain.errors import InvalidValue
from cso.domain.project import Project
from cso.domain.project_errors import DateBeforeSigning, DateInFuture
from cso.domain.project_records import Deadlines, deadlines, is_due_soon
from cso.domain.request_rules import (
    RequestAlreadyRated,
    RequestAlreadyResolved,
    RequestNotResolved,
)
from cso.domain.working_days import year_calendar
from tests.request_desk import RequestDesk

DAY = timedelta(days=1)


@pytest.fixture
def project(project: Project) -> RequestDesk:
    """The conftest's project, with the requests it raises at hand."""
    return RequestDesk(project)


def raise_permit(project: RequestDesk, today: date) -> UUID:
    return project.raise_request(RequestCategory.PERMIT, "Fire permit is stuck", today=today)


@pytest.mark.parametrize("category", list(RequestCategory))
def test_a_raised_request_is_open_and_due_after_its_category_days(
    project: RequestDesk, today: date, category: RequestCategory
) -> None:
    request_id = project.raise_request(category, " Need help ", today=today)
    request = project.request(request_id)
    assert request.status is RequestStatus.OPEN
    assert request.description == "Need help"
    assert request.received_on == today
    # No calendar given: weekends only. TODAY is a Saturday, so whole weeks follow.
    assert request.due_on == today + (category.days_to_answer // 5 * 7 - 1) * DAY
    assert request.calendar_source is CalendarSource.WEEKENDS_ONLY
    assert request.departments == []
    assert project.open_requests == [request]


def test_a_request_needs_a_description(project: RequestDesk, today: date) -> None:
    with pytest.raises(InvalidValue) as refused:
        project.raise_request(RequestCategory.LAND, "  ", today=today)
    assert refused.value.field == "description"


def test_a_request_is_referred_to_one_department(project: RequestDesk, today: date) -> None:
    request_id = raise_permit(project, today)
    project.refer_request(request_id, ["Fire Brigade"])
    request = project.request(request_id)
    assert request.status is RequestStatus.REFERRED
    assert request.departments == ["Fire Brigade"]
    assert not request.joint


def test_a_request_referred_to_several_departments_is_handled_jointly(
    project: RequestDesk, today: date
) -> None:
    request_id = raise_permit(project, today)
    project.refer_request(request_id, ["Fire Brigade", "Housing Bureau"])
    assert project.request(request_id).joint


def test_a_referred_request_may_be_referred_again_to_new_departments(
    project: RequestDesk, today: date
) -> None:
    request_id = raise_permit(project, today)
    project.refer_request(request_id, ["Fire Brigade"])
    project.refer_request(request_id, ["Planning Bureau"])
    assert project.request(request_id).departments == ["Planning Bureau"]
    assert project.request(request_id).status is RequestStatus.REFERRED


@pytest.mark.parametrize("departments", [[], ["Fire Brigade", "fire brigade"], [""]])
def test_a_referral_needs_unique_named_departments(
    project: RequestDesk, today: date, departments: list[str]
) -> None:
    request_id = raise_permit(project, today)
    with pytest.raises(InvalidValue) as refused:
        project.refer_request(request_id, departments)
    assert refused.value.field == "departments"


def test_a_resolved_request_cannot_be_referred(project: RequestDesk, today: date) -> None:
    request_id = raise_permit(project, today)
    project.resolve_request(request_id, "Permit issued", today=today)
    with pytest.raises(RequestAlreadyResolved):
        project.refer_request(request_id, ["Fire Brigade"])


@pytest.mark.parametrize("refer_first", [False, True])
def test_an_open_or_referred_request_is_resolved(
    project: RequestDesk, today: date, refer_first: bool
) -> None:
    request_id = raise_permit(project, today)
    if refer_first:
        project.refer_request(request_id, ["Fire Brigade"])
    project.resolve_request(request_id, " Permit issued ", today=today + DAY)
    request = project.request(request_id)
    assert request.status is RequestStatus.RESOLVED
    assert (request.resolution, request.resolved_on) == ("Permit issued", today + DAY)
    assert project.open_requests == []


def test_a_request_is_resolved_only_once(project: RequestDesk, today: date) -> None:
    request_id = raise_permit(project, today)
    project.resolve_request(request_id, "Permit issued", today=today)
    with pytest.raises(RequestAlreadyResolved, match="already resolved"):
        project.resolve_request(request_id, "Again", today=today)


def test_a_resolution_needs_text(project: RequestDesk, today: date) -> None:
    request_id = raise_permit(project, today)
    with pytest.raises(InvalidValue) as refused:
        project.resolve_request(request_id, "", today=today)
    assert refused.value.field == "resolution"


@pytest.mark.parametrize("satisfaction", [1, 3, 5])
def test_a_resolved_request_is_rated_from_one_to_five(
    project: RequestDesk, today: date, satisfaction: int
) -> None:
    request_id = raise_permit(project, today)
    project.resolve_request(request_id, "Permit issued", today=today)
    project.rate_request(request_id, satisfaction, today)
    assert project.request(request_id).satisfaction == satisfaction


@pytest.mark.parametrize("satisfaction", [0, 6, True, 4.5])
def test_a_rating_outside_one_to_five_is_refused(
    project: RequestDesk, today: date, satisfaction: object
) -> None:
    request_id = raise_permit(project, today)
    project.resolve_request(request_id, "Permit issued", today=today)
    with pytest.raises(InvalidValue) as refused:
        project.rate_request(request_id, satisfaction, today)  # type: ignore[arg-type]
    assert refused.value.field == "satisfaction"


def test_an_unresolved_request_cannot_be_rated(project: RequestDesk, today: date) -> None:
    request_id = raise_permit(project, today)
    with pytest.raises(RequestNotResolved, match="not resolved yet"):
        project.rate_request(request_id, 5, today)


def test_a_request_is_rated_only_once(project: RequestDesk, today: date) -> None:
    request_id = raise_permit(project, today)
    project.resolve_request(request_id, "Permit issued", today=today)
    project.rate_request(request_id, 4, today)
    with pytest.raises(RequestAlreadyRated):
        project.rate_request(request_id, 5, today)


def test_a_request_is_overdue_only_after_its_due_date_while_unresolved(
    project: RequestDesk, today: date
) -> None:
    request_id = raise_permit(project, today)
    due = project.request(request_id).due_on
    assert not project.request(request_id).is_overdue(due)
    assert project.request(request_id).is_overdue(due + DAY)
    assert project.overdue_requests(due + DAY) == [project.request(request_id)]


def test_a_referred_request_can_be_overdue(project: RequestDesk, today: date) -> None:
    request_id = raise_permit(project, today)
    project.refer_request(request_id, ["Fire Brigade"])
    assert project.request(request_id).is_overdue(today + 30 * DAY)


def test_a_resolved_request_is_never_overdue(project: RequestDesk, today: date) -> None:
    request_id = raise_permit(project, today)
    project.resolve_request(request_id, "Permit issued", today=today + 20 * DAY)
    assert not project.request(request_id).is_overdue(today + 30 * DAY)
    assert project.overdue_requests(today + 30 * DAY) == []


def test_an_unresolved_request_is_overdue_from_the_day_after_it_is_due(
    project: RequestDesk, today: date
) -> None:
    request_id = project.raise_request(RequestCategory.POLICY, "Subsidy", today=today)
    request = project.request(request_id)
    assert request.overdue_from == request.due_on + timedelta(days=1)
    assert not request.is_overdue(request.due_on)
    assert request.is_overdue(request.due_on + timedelta(days=1))
    assert project.overdue_from == request.overdue_from


def test_a_resolved_request_has_no_overdue_date(project: RequestDesk, today: date) -> None:
    request_id = project.raise_request(RequestCategory.POLICY, "Subsidy", today=today)
    project.resolve_request(request_id, "Granted", today=today)
    request = project.request(request_id)
    assert request.overdue_from is None
    assert not request.is_overdue(today + timedelta(days=365))
    assert project.overdue_from is None


def test_a_request_received_before_a_holiday_is_due_after_it_on_the_calendar_given(
    project: RequestDesk,
) -> None:
    golden_week = [date(2026, 10, day) for day in range(1, 8)]
    official = year_calendar(
        2026, CalendarSource.OFFICIAL, "official r1", golden_week, [date(2026, 10, 10)]
    )
    request_id = project.raise_request(
        RequestCategory.PERMIT,
        "消防验收",
        today=date(2026, 10, 20),
        received_on=date(2026, 9, 30),
        calendars=lambda _: official,
    )
    request = project.request(request_id)
    assert (request.received_on, request.due_on) == (date(2026, 9, 30), date(2026, 10, 13))
    assert request.calendar_source is CalendarSource.OFFICIAL
    event = project.request(request_id).collect_events()[0]
    assert (event.due_on, event.calendar_version) == (  # type: ignore[attr-defined]
        date(2026, 10, 13),
        "2026:OFFICIAL:official r1",
    )


def test_a_request_cannot_be_received_in_the_future(project: RequestDesk, today: date) -> None:
    with pytest.raises(DateInFuture):
        project.raise_request(RequestCategory.LAND, "用地", today=today, received_on=today + DAY)


def test_a_request_cannot_be_received_before_the_project_was_signed(
    project: RequestDesk, today: date, signed_on: date
) -> None:
    with pytest.raises(DateBeforeSigning):
        project.raise_request(
            RequestCategory.LAND, "用地", today=today, received_on=signed_on - DAY
        )


def test_a_request_raised_before_working_days_replays_with_its_recorded_due_date(
    project: RequestDesk, today: date
) -> None:
    """An old RequestRaised event on a project (no calendar fields) still applies, its due
    date as is, and its id counts among the project's open requests."""
    project.collect_events()
    request_id = uuid4()
    project._raise_request(  # the old event's shape: what the aggregate recorded then
        request_id=request_id,
        category=RequestCategory.LAND,
        description="旧诉求",
        raised_on=today,
        due_on=today + 10 * DAY,
    )
    (old,) = project.collect_events()
    del old.__dict__["calendar_source"], old.__dict__["calendar_version"]
    copy = Project.__new__(Project)
    copy.__dict__.update(project.__dict__)
    copy._requests = []
    old.apply(copy)
    assert copy.legacy_request(request_id).due_on == today + 10 * DAY
    assert copy.legacy_request(request_id).calendar_source is None
    assert copy.open_request_ids == [request_id]


def test_a_request_is_due_soon_in_its_last_three_days_until_it_is_overdue(
    project: RequestDesk, today: date
) -> None:
    request = project.request(raise_permit(project, today))
    due = request.due_on
    soon_from, overdue_from = request.due_soon_from, request.overdue_from
    assert soon_from == due - 2 * DAY
    assert not is_due_soon(soon_from, overdue_from, due - 3 * DAY)
    assert is_due_soon(soon_from, overdue_from, due - 2 * DAY)
    assert is_due_soon(soon_from, overdue_from, due)
    assert not is_due_soon(soon_from, overdue_from, due + DAY)  # overdue instead


def test_a_resolved_request_is_never_due_soon(project: RequestDesk, today: date) -> None:
    request_id = raise_permit(project, today)
    project.resolve_request(request_id, "已办结", today)
    request = project.request(request_id)
    assert request.due_soon_from is None
    assert not is_due_soon(request.due_soon_from, request.overdue_from, request.due_on)


def test_a_request_resolved_on_its_due_date_is_on_time_and_the_day_after_is_not(
    project: RequestDesk, today: date
) -> None:
    on_the_day, late = raise_permit(project, today), raise_permit(project, today)
    due = project.request(on_the_day).due_on
    project.resolve_request(on_the_day, "已办结", due)
    project.resolve_request(late, "已办结", due + DAY)
    first = project.request(on_the_day).collect_events()[-1]
    second = project.request(late).collect_events()[-1]
    assert (first.on_time, second.on_time) == (True, False)  # type: ignore[attr-defined]
    assert project.request(on_the_day).on_time is True
    assert project.request(late).on_time is False


def test_an_unresolved_request_is_neither_on_time_nor_late(
    project: RequestDesk, today: date
) -> None:
    assert project.request(raise_permit(project, today)).on_time is None


@pytest.mark.parametrize("status", list(RequestStatus))
def test_what_the_read_model_stores_of_a_request_is_decided_by_its_status_and_due_date(
    status: RequestStatus,
) -> None:
    due = date(2024, 6, 10)
    decided = deadlines(status, due)
    if status is RequestStatus.RESOLVED:
        assert decided == Deadlines(open=False, overdue_from=None, due_soon_from=None)
    else:
        assert decided == Deadlines(open=True, overdue_from=due + DAY, due_soon_from=due - 2 * DAY)
