"""workingCalendar(year), now or replayed to a moment or a version of the year's schedule."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from cso.domain.working_calendar import WorkingCalendar as CalendarAggregate
from cso.domain.working_calendar import calendar_id
from cso.domain.working_days import require_year
from cso.eventstore import StreamNotFound
from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.queries.common import reader
from cso.graphql.types.working_calendar import WorkingCalendar, working_calendar_of
from cso.services.errors import InvalidInput, NotFound
from cso.services.holiday_library import default_calendar
from cso.services.working_calendars import year_calendar


@strawberry.type
class WorkingCalendarQueries:
    @fields.field(
        "The year's calendar due dates are counted on: the supervisor's official schedule, "
        "else the holiday library's, else weekends only. With asOf and/or version, the "
        "official schedule's stream replayed to that point (before it was recorded: the "
        "library's or weekends only); a version beyond the latest is NOT_FOUND."
    )
    async def working_calendar(
        self,
        info: Info[Context, None],
        year: int,
        as_of: datetime | None = None,
        version: int | None = None,
    ) -> WorkingCalendar:
        reader(info)
        require_year(year)
        repository = info.context.runtime.repository
        if as_of is None and version is None:
            # One small stream per year, read whole: the same source the due-date rules read.
            return working_calendar_of(await year_calendar(repository, year))
        if version is not None and version < 1:
            raise InvalidInput(f"version counts from 1, not {version}", "version")
        try:
            recorded = await repository.get(
                calendar_id(year), CalendarAggregate, version=version, as_of=as_of
            )
        except StreamNotFound:
            if version is not None and as_of is None:
                raise NotFound(f"no schedule of {year} was recorded") from None
            return working_calendar_of(default_calendar(year))
        if version is not None and as_of is None and recorded.version < version:
            raise NotFound(f"{year}'s schedule has no version {version}")
        return working_calendar_of(recorded.year_calendar())
