"""WorkingCalendar: a year's holidays and make-up working days, and where they came from."""

from __future__ import annotations

from datetime import date

import strawberry

import cso.graphql.enums  # noqa: F401  (registers the domain's enums, CalendarSource among them)
from cso.domain.enums import CalendarSource
from cso.domain.working_days import YearCalendar


@strawberry.type(description="A year's working calendar; `source` says who decided it.")
class WorkingCalendar:
    year: int
    source: CalendarSource
    holidays: list[date] = strawberry.field(description="Days off, weekends among them.")
    workdays: list[date] = strawberry.field(description="Saturdays and Sundays worked (调休).")
    version: str = strawberry.field(
        description='"official rN" for a recorded schedule, the library and its version, '
        "or empty for weekends only."
    )


def working_calendar_of(calendar: YearCalendar) -> WorkingCalendar:
    """The type's one mapper, from the calendar the working-day counter reads."""
    return WorkingCalendar(
        year=calendar.year,
        source=calendar.source,
        holidays=sorted(calendar.holidays),
        workdays=sorted(calendar.workdays),
        version=calendar.version,
    )
