"""workingCalendar(year)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from cso.domain.working_days import require_year
from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.queries.common import reader
from cso.graphql.types.working_calendar import WorkingCalendar, working_calendar_of
from cso.services.working_calendars import year_calendar


@strawberry.type
class WorkingCalendarQueries:
    @fields.field(
        "The year's calendar due dates are counted on: the supervisor's official schedule, "
        "else the holiday library's, else weekends only."
    )
    async def working_calendar(self, info: Info[Context, None], year: int) -> WorkingCalendar:
        reader(info)
        require_year(year)
        # One small stream per year, read whole: the same source the due-date rules read.
        return working_calendar_of(await year_calendar(info.context.runtime.repository, year))
