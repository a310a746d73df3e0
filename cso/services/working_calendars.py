"""setWorkingCalendar (supervisors), and the calendar a year's working days are counted on."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from cso.domain.working_calendar import WorkingCalendar, calendar_id
from cso.domain.working_days import CalendarLookup, YearCalendar
from cso.eventstore import Repository, StreamNotFound
from cso.services.application import Application, Changed, Command, UnitOfWork
from cso.services.errors import NotFound
from cso.services.holiday_library import default_calendar
from cso.services.policy import require_supervisor


async def set_working_calendar(
    app: Application, cmd: Command, *, year: int, holidays: list[date], workdays: list[date]
) -> Changed:
    """Record (or revise) ``year``'s official schedule; answers {"calendar": stream id}.

    Raises Forbidden for all but supervisors, InvalidValue for days outside the year, a
    weekday make-up day, or a day that is both.
    """
    require_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        try:
            calendar = await uow.get(calendar_id(year), WorkingCalendar, target=True)
        except NotFound:
            # Two first recordings race on the stream's version 1: the loser re-runs, finds
            # the winner's calendar and revises it.
            calendar = uow.add(WorkingCalendar.record(year, holidays, workdays))
        else:
            calendar.revise(holidays, workdays)
        return {"calendar": calendar.id}

    return await app.execute(cmd, attempt)


async def year_calendar(repository: Repository, year: int) -> YearCalendar:
    """The official schedule of ``year`` when a supervisor recorded one, else the holiday
    library's, else weekends only (its source says which)."""
    try:
        official = await repository.get(calendar_id(year), WorkingCalendar)
    except StreamNotFound:
        return default_calendar(year)
    return official.year_calendar()


async def calendars_from(repository: Repository, first_year: int) -> CalendarLookup:
    """A lookup for counts starting in ``first_year``: that year and the next are read now
    (a category's deadline never reaches further); a later year falls back to the library."""
    known = {year: await year_calendar(repository, year) for year in (first_year, first_year + 1)}

    def lookup(year: int) -> YearCalendar:
        found = known.get(year)
        return default_calendar(year) if found is None else found

    return lookup
