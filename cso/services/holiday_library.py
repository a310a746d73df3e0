"""The default working calendar: China's public holidays and make-up days from a library.

``chinese-calendar`` transcribes each year's State Council notice (holidays and 调休
working days) and refuses a year it has no notice for, which is exactly the signal the
domain needs to fall back to weekends only and say so. (The ``holidays`` package agrees on
the years it knows, but projects the statutory festivals into later years without their
make-up days, so an unknown year would silently look known.)
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib.metadata import version

import chinese_calendar  # type: ignore[import-untyped]

from cso.domain.enums import CalendarSource
from cso.domain.working_days import YearCalendar, weekends_only, year_calendar

LIBRARY_VERSION = f"chinese-calendar {version('chinese-calendar')}"


def _known_years() -> range:
    known = chinese_calendar.holidays.keys()
    return range(min(known).year, max(known).year + 1)


@cache
def library_calendar(year: int) -> YearCalendar | None:
    """The library's calendar for ``year``, or None when it has no notice for it."""
    if year not in _known_years():
        return None
    holidays: dict[date, str] = chinese_calendar.holidays
    workdays: dict[date, str] = chinese_calendar.workdays
    return year_calendar(
        year,
        CalendarSource.LIBRARY,
        LIBRARY_VERSION,
        holidays=(day for day in holidays if day.year == year),
        # A weekday listed as worked would change no count, and year_calendar refuses it.
        workdays=(day for day in workdays if day.year == year and day.weekday() >= 5),
    )


def default_calendar(year: int) -> YearCalendar:
    """The library's calendar for ``year``, or weekends only when it does not know it."""
    known = library_calendar(year)
    return weekends_only(year) if known is None else known
