"""WorkingCalendar: a year's official schedule of holidays and make-up days, by a supervisor.

One stream per year, its id derived from the year, so two supervisors recording the same
year write to the same stream (the second one revises). Once recorded, the year's official
schedule takes precedence over the holiday library; each revision bumps the version that
due dates record beside themselves.
"""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from cso.domain.enums import CalendarSource
from cso.domain.working_days import YearCalendar, year_calendar

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:cso:working-calendar")


def calendar_id(year: int) -> UUID:
    """The stream id of ``year``'s calendar."""
    return uuid5(_NAMESPACE, str(year))


class WorkingCalendar(Aggregate):
    @event("Recorded")
    def __init__(self, year: int, holidays: list[date], workdays: list[date]) -> None:
        self.year = year
        self.holidays = holidays
        self.workdays = workdays
        self.revision = 1

    @staticmethod
    def create_id(year: int) -> UUID:
        return calendar_id(year)

    @classmethod
    def record(cls, year: int, holidays: list[date], workdays: list[date]) -> WorkingCalendar:
        """The first official schedule of ``year``. Raises InvalidValue as `year_calendar`."""
        checked = year_calendar(year, CalendarSource.OFFICIAL, "", holidays, workdays)
        return cls(year=year, holidays=sorted(checked.holidays), workdays=sorted(checked.workdays))

    def revise(self, holidays: list[date], workdays: list[date]) -> None:
        """Replace the schedule; the same schedule again changes nothing (no event)."""
        checked = year_calendar(self.year, CalendarSource.OFFICIAL, "", holidays, workdays)
        new_holidays, new_workdays = sorted(checked.holidays), sorted(checked.workdays)
        if new_holidays == self.holidays and new_workdays == self.workdays:
            return
        self._revise(holidays=new_holidays, workdays=new_workdays)

    @event("Revised")
    def _revise(self, holidays: list[date], workdays: list[date]) -> None:
        self.holidays = holidays
        self.workdays = workdays
        self.revision += 1

    @property
    def version_label(self) -> str:
        """What a due date records of this calendar, e.g. "official r2"."""
        return f"official r{self.revision}"

    def year_calendar(self) -> YearCalendar:
        """The schedule as the working-day counter reads it."""
        return YearCalendar(
            self.year,
            CalendarSource.OFFICIAL,
            self.version_label,
            frozenset(self.holidays),
            frozenset(self.workdays),
        )
