from __future__ import annotations

from datetime import date, timedelta

import pytest

from cso.domain.enums import CalendarSource
from cso.domain.errors import InvalidValue
from cso.domain.working_days import (
    MAX_WORKING_DAYS,
    YearCalendar,
    add_working_days,
    weekends_only,
    year_calendar,
)

# A Wednesday before a seven-day holiday (Thursday 1 to Wednesday 7 October 2026), with a
# make-up working Saturday (10 October) after it: the State Council's 2026 schedule.
WEDNESDAY = date(2026, 9, 30)
GOLDEN_WEEK = [date(2026, 10, 1) + timedelta(days=n) for n in range(7)]
MAKE_UP_SATURDAY = date(2026, 10, 10)


def official_2026(year: int) -> YearCalendar:
    if year != 2026:
        return weekends_only(year)
    return year_calendar(
        2026, CalendarSource.OFFICIAL, "official v1", GOLDEN_WEEK, [MAKE_UP_SATURDAY]
    )


def test_five_working_days_from_the_wednesday_skip_the_holiday_and_count_the_saturday() -> None:
    counted = add_working_days(WEDNESDAY, 5, official_2026)
    # Thu 8, Fri 9, Sat 10 (make-up), Mon 12, Tue 13.
    assert counted.on == date(2026, 10, 13)
    assert counted.calendar.source is CalendarSource.OFFICIAL
    assert counted.calendar.version == "2026:OFFICIAL:official v1"


def test_ten_working_days_from_the_wednesday_end_two_weeks_after_the_holiday() -> None:
    # 8, 9, 10, 12, 13, 14, 15, 16, 19, 20 October.
    assert add_working_days(WEDNESDAY, 10, official_2026).on == date(2026, 10, 20)


def test_the_same_count_on_weekends_only_ends_inside_the_holiday() -> None:
    counted = add_working_days(WEDNESDAY, 5, weekends_only)
    assert counted.on == date(2026, 10, 7)
    assert counted.calendar.source is CalendarSource.WEEKENDS_ONLY


def test_the_day_received_never_counts_and_a_friday_lands_on_the_next_monday() -> None:
    assert add_working_days(date(2030, 3, 1), 1, weekends_only).on == date(2030, 3, 4)


def test_a_count_across_new_year_stamps_both_years_and_the_weakest_source() -> None:
    counted = add_working_days(date(2026, 12, 30), 5, official_2026)
    assert counted.on == date(2027, 1, 6)
    assert counted.calendar.source is CalendarSource.WEEKENDS_ONLY
    assert counted.calendar.version == "2026:OFFICIAL:official v1;2027:WEEKENDS_ONLY:"


@pytest.mark.parametrize("working_days", [0, -1, MAX_WORKING_DAYS + 1, True])
def test_a_count_outside_its_range_is_refused_on_working_days(working_days: int) -> None:
    with pytest.raises(InvalidValue) as refused:
        add_working_days(WEDNESDAY, working_days, weekends_only)
    assert refused.value.field == "workingDays"


def test_a_make_up_working_day_must_fall_on_a_weekend() -> None:
    with pytest.raises(InvalidValue) as refused:
        year_calendar(2026, CalendarSource.OFFICIAL, "v1", [], [date(2026, 10, 9)])
    assert refused.value.field == "workdays"
    assert "2026-10-09" in refused.value.message


def test_a_day_of_another_year_is_refused_in_a_years_calendar() -> None:
    with pytest.raises(InvalidValue) as refused:
        year_calendar(2026, CalendarSource.OFFICIAL, "v1", [date(2027, 1, 1)], [])
    assert refused.value.field == "holidays"


def test_a_day_cannot_be_both_a_holiday_and_a_working_day() -> None:
    saturday = date(2026, 10, 3)
    with pytest.raises(InvalidValue) as refused:
        year_calendar(2026, CalendarSource.OFFICIAL, "v1", [saturday], [saturday])
    assert refused.value.field == "workdays"


@pytest.mark.parametrize("year", [1899, 2201])
def test_a_year_out_of_range_is_refused(year: int) -> None:
    with pytest.raises(InvalidValue) as refused:
        year_calendar(year, CalendarSource.OFFICIAL, "v1")
    assert refused.value.field == "year"
