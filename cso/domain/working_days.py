"""Working days (工作日): weekends and public holidays are skipped, make-up days (调休) count.

A ``YearCalendar`` says, for one year, which days are public holidays and which weekend
days are worked instead, where that knowledge came from (``CalendarSource``) and which
version of it was used. ``add_working_days`` counts on such calendars, one per year it
crosses, and returns the date with a ``CalendarStamp`` to record in the event beside it:
a replay reads the recorded date and never counts again.

Pure: the calendars are handed in by the caller (the holiday library's adapter, or a
supervisor's official schedule); nothing here reads a clock or a database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from cso.domain.enums import CalendarSource
from cso.domain.errors import InvalidValue

# Longest count a rule asks for (a category's deadline, a supervisor's extension): beyond
# it a caller has made a mistake, and the loop below stays bounded.
MAX_WORKING_DAYS = 250
SATURDAY = 5
_DAY = timedelta(days=1)


_AUTHORITY = {source: rank for rank, source in enumerate(CalendarSource)}


def is_weekend(day: date) -> bool:
    return day.weekday() >= SATURDAY


@dataclass(frozen=True)
class YearCalendar:
    """One year's schedule: ``holidays`` are days off, ``workdays`` weekend days worked.

    ``version`` names the data used ("chinese-calendar 1.11.0", "official v2", …).
    Build it with :func:`year_calendar`, which checks the days.
    """

    year: int
    source: CalendarSource
    version: str
    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return not is_weekend(day) and day not in self.holidays


def year_calendar(
    year: int,
    source: CalendarSource,
    version: str,
    holidays: Iterable[date] = (),
    workdays: Iterable[date] = (),
) -> YearCalendar:
    """Check and build a year's calendar.

    Raises InvalidValue ("holidays"/"workdays") when a day is outside ``year``, when a
    make-up working day is not a Saturday or Sunday, or when a day is both.
    """
    require_year(year)
    days_off = frozenset(holidays)
    days_on = frozenset(workdays)
    for field, days in (("holidays", days_off), ("workdays", days_on)):
        stray = sorted(day for day in days if day.year != year)
        if stray:
            raise InvalidValue(field, f"The {field} of {year} cannot include {stray[0]}.")
    weekday_workdays = sorted(day for day in days_on if not is_weekend(day))
    if weekday_workdays:
        raise InvalidValue(
            "workdays",
            f"A make-up working day is a Saturday or Sunday; {weekday_workdays[0]} is not.",
        )
    both = sorted(days_off & days_on)
    if both:
        raise InvalidValue("workdays", f"{both[0]} cannot be both a holiday and a working day.")
    return YearCalendar(year, source, version, days_off, days_on)


def require_year(year: int) -> int:
    """``year`` when a calendar can be kept or read for it: 1900 to 2200 (no due date of a
    case reaches outside). Raises InvalidValue ("year")."""
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
        raise InvalidValue("year", f"The year is a whole number from 1900 to 2200, not {year}.")
    return year


def weekends_only(year: int) -> YearCalendar:
    """The calendar of a year nobody knows: Monday to Friday are working days."""
    return YearCalendar(year, CalendarSource.WEEKENDS_ONLY, "", frozenset(), frozenset())


@dataclass(frozen=True)
class CalendarStamp:
    """The calendars a count used: the least authoritative source among the years
    crossed, and each year's ``year:SOURCE:version``, joined by ``;``."""

    source: CalendarSource
    version: str


@dataclass(frozen=True)
class WorkingDayCount:
    """The day reached and the calendars that decided it."""

    on: date
    calendar: CalendarStamp


CalendarLookup = Callable[[int], YearCalendar]


def add_working_days(start: date, working_days: int, calendars: CalendarLookup) -> WorkingDayCount:
    """The ``working_days``-th working day after ``start`` (``start`` itself never counts).

    ``calendars(year)`` gives each year's calendar (asked once per year crossed).
    Raises InvalidValue ("workingDays") unless 1 ≤ ``working_days`` ≤ MAX_WORKING_DAYS.
    """
    if (
        isinstance(working_days, bool)
        or not isinstance(working_days, int)
        or not 1 <= working_days <= MAX_WORKING_DAYS
    ):
        raise InvalidValue(
            "workingDays",
            f"Working days are a whole number from 1 to {MAX_WORKING_DAYS}, not {working_days}.",
        )
    used: dict[int, YearCalendar] = {}
    day = start
    left = working_days
    while left:
        day += _DAY
        calendar = used.get(day.year)
        if calendar is None:
            calendar = used[day.year] = calendars(day.year)
        if calendar.is_working_day(day):
            left -= 1
    return WorkingDayCount(day, stamp(used.values()))


def stamp(calendars: Iterable[YearCalendar]) -> CalendarStamp:
    """Summarise the calendars used by a count (see :class:`CalendarStamp`)."""
    ordered = sorted(calendars, key=lambda c: c.year)
    if not ordered:
        raise ValueError("a count uses at least one calendar")
    weakest = max((c.source for c in ordered), key=_AUTHORITY.__getitem__)
    version = ";".join(f"{c.year}:{c.source.value}:{c.version}" for c in ordered)
    return CalendarStamp(weakest, version)
