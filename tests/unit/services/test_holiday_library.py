from __future__ import annotations

from datetime import date

from cso.domain.enums import CalendarSource
from cso.domain.working_days import add_working_days
from cso.services.holiday_library import LIBRARY_VERSION, default_calendar, library_calendar


def test_the_library_knows_the_2026_golden_week_and_its_make_up_days() -> None:
    calendar = default_calendar(2026)
    assert calendar.source is CalendarSource.LIBRARY
    assert calendar.version == LIBRARY_VERSION
    assert all(calendar.is_working_day(date(2026, 10, n)) is False for n in range(1, 8))
    assert calendar.is_working_day(date(2026, 9, 20))  # a Sunday, worked
    assert calendar.is_working_day(date(2026, 10, 10))  # a Saturday, worked


def test_a_permit_received_the_wednesday_before_golden_week_is_due_the_next_tuesday_week() -> None:
    counted = add_working_days(date(2026, 9, 30), 5, default_calendar)
    assert counted.on == date(2026, 10, 13)
    assert counted.calendar.source is CalendarSource.LIBRARY
    assert counted.calendar.version == f"2026:LIBRARY:{LIBRARY_VERSION}"


def test_spring_festival_2025_with_its_two_make_up_days_is_skipped() -> None:
    # Received Friday 24 January 2025: Sun 26 worked, holiday 28 Jan – 4 Feb, Sat 8 worked.
    counted = add_working_days(date(2025, 1, 24), 5, default_calendar)
    assert counted.on == date(2025, 2, 7)  # Sun 26, Mon 27 Jan; Wed 5, Thu 6, Fri 7 Feb
    assert counted.calendar.source is CalendarSource.LIBRARY


def test_a_year_the_library_does_not_know_counts_weekends_only_and_says_so() -> None:
    assert library_calendar(2099) is None
    counted = add_working_days(date(2099, 9, 30), 5, default_calendar)
    assert counted.on == date(2099, 10, 7)
    assert counted.calendar.source is CalendarSource.WEEKENDS_ONLY
