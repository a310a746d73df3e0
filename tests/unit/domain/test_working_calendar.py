from __future__ import annotations

from datetime import date

import pytest

from cso.domain.enums import CalendarSource
from cso.domain.errors import InvalidValue
from cso.domain.working_calendar import WorkingCalendar, calendar_id
from cso.domain.working_days import add_working_days

HOLIDAYS = [date(2031, 10, day) for day in range(1, 8)]
MAKE_UP = [date(2031, 10, 11)]


def test_a_years_calendar_lives_in_the_stream_its_year_names() -> None:
    calendar = WorkingCalendar.record(2031, HOLIDAYS, MAKE_UP)
    assert calendar.id == calendar_id(2031)
    assert calendar_id(2031) != calendar_id(2032)


def test_a_recorded_schedule_is_official_and_counts_its_make_up_saturday() -> None:
    official = WorkingCalendar.record(2031, HOLIDAYS, MAKE_UP).year_calendar()
    assert official.source is CalendarSource.OFFICIAL
    assert official.version == "official r1"
    # Tuesday 30 September 2031: Wed 8, Thu 9, Fri 10, Sat 11 (make-up), Mon 13.
    assert add_working_days(date(2031, 9, 30), 5, lambda _: official).on == date(2031, 10, 13)


def test_a_revision_replaces_the_schedule_and_bumps_the_version() -> None:
    calendar = WorkingCalendar.record(2031, HOLIDAYS, MAKE_UP)
    calendar.revise(HOLIDAYS[:3], [])
    assert calendar.revision == 2
    assert calendar.year_calendar().holidays == frozenset(HOLIDAYS[:3])
    assert calendar.year_calendar().version == "official r2"


def test_the_same_schedule_in_another_order_records_nothing() -> None:
    calendar = WorkingCalendar.record(2031, HOLIDAYS, MAKE_UP)
    calendar.collect_events()
    calendar.revise(list(reversed(HOLIDAYS)), MAKE_UP)
    assert calendar.collect_events() == []
    assert calendar.revision == 1


def test_a_revision_with_a_weekday_make_up_day_is_refused_and_changes_nothing() -> None:
    calendar = WorkingCalendar.record(2031, HOLIDAYS, MAKE_UP)
    with pytest.raises(InvalidValue) as refused:
        calendar.revise(HOLIDAYS, [date(2031, 10, 10)])
    assert refused.value.field == "workdays"
    assert calendar.workdays == MAKE_UP
