"""The demo year's official working calendar, recorded by the supervisor when it is announced.

The State Council announces a year's holidays and make-up working days in the autumn before
(国务院办公厅关于部分节假日安排的通知); the supervisor records that schedule, as the holiday
library transcribes it, in mid-November. Requests received earlier count on the library's
calendar, later ones on the official one. A year the library does not know gets no step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cso.seed.steps import Context, Step
from cso.services import working_calendars
from cso.services.application import Command
from cso.services.holiday_library import library_calendar

ANNOUNCED = (11, 15)  # month, day of the year before
REASON = "国务院办公厅关于{year}年部分节假日安排的通知"


@dataclass(frozen=True, slots=True)
class SetWorkingCalendar:
    year: int
    holidays: tuple[date, ...]
    workdays: tuple[date, ...]

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await working_calendars.set_working_calendar(
            ctx.app,
            cmd,
            year=self.year,
            holidays=list(self.holidays),
            workdays=list(self.workdays),
        )


def calendar_steps(today: date) -> list[Step]:
    """The supervisor records this year's official schedule, as announced the year before."""
    announced = library_calendar(today.year)
    if announced is None:
        return []
    action = SetWorkingCalendar(
        today.year, tuple(sorted(announced.holidays)), tuple(sorted(announced.workdays))
    )
    on = date(today.year - 1, *ANNOUNCED)
    return [Step(on, action, reason=REASON.format(year=today.year))]
