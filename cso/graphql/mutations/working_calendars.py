"""setWorkingCalendar (supervisors)."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.mutations.common import MutationInput, application, command, consistency_token
from cso.graphql.types.working_calendar import WorkingCalendar, working_calendar_of
from cso.services import working_calendars


@strawberry.input(description="A year's official schedule; it replaces any earlier one.")
class SetWorkingCalendarInput(MutationInput):
    year: int
    holidays: list[date]
    workdays: list[date] = strawberry.field(description="Saturdays and Sundays worked (调休).")


@strawberry.type
class SetWorkingCalendarPayload:
    consistency_token: str
    year: strawberry.Private[int]

    @fields.field("The year's calendar after the change; read only when asked for.")
    async def calendar(self, info: Info[Context, None]) -> WorkingCalendar:
        repository = info.context.runtime.repository
        return working_calendar_of(await working_calendars.year_calendar(repository, self.year))


@strawberry.type
class WorkingCalendarMutations:
    @fields.mutation("Record a year's official schedule; due dates counted later use it.")
    async def set_working_calendar(
        self, info: Info[Context, None], input: SetWorkingCalendarInput
    ) -> SetWorkingCalendarPayload:
        changed = await working_calendars.set_working_calendar(
            application(info),
            command(info, input),
            year=input.year,
            holidays=input.holidays,
            workdays=input.workdays,
        )
        return SetWorkingCalendarPayload(
            consistency_token=consistency_token(info, changed), year=input.year
        )
