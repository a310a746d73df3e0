"""The seed's two clocks: the application's `today` and the store's recorded time.

A seed writes two years of history in minutes. `HistoricClock` is the day a step happens
on (due dates, occurred-on dates); `SimulatedClock` is the moment its events are recorded
at, so `asOf` shows the district as it stood on a day of the story. Only the seed and tests
build these; a server's store records the database's time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DISTRICT_ZONE = ZoneInfo("Asia/Shanghai")
# Recorded times start each day at the office's opening and advance a little per append,
# so events of a day keep their order and never reach the next day's.
OPENING = time(8, 30)
TICK = timedelta(milliseconds=250)


class HistoricClock:
    """The `today` of an Application replaying history: the day of the step being run."""

    def __init__(self, on: date) -> None:
        self.on = on

    def __call__(self) -> date:
        return self.on


class SimulatedClock:
    """The recorded time of each append: the current story day at opening time, one tick
    later on each call. It never goes back (a day before the current one keeps the current
    time and ticks on), so within every stream recorded times grow with the version, as
    `asOf` needs (cso/eventstore/sql.py, SELECT_VERSION_AT). Aware datetimes in UTC.
    """

    def __init__(self, on: date, zone: ZoneInfo = DISTRICT_ZONE) -> None:
        self.zone = zone
        self.day = on
        self._next = self._opening(on)

    def _opening(self, on: date) -> datetime:
        return datetime.combine(on, OPENING, self.zone)

    def advance_to(self, on: date) -> None:
        """Later calls record on `on` (a day after the current one) from its opening time."""
        if on > self.day:
            self.day = on
            self._next = max(self._opening(on), self._next)

    def restart(self, on: date) -> None:
        """Record from `on`'s opening time again, even if that is earlier: only for steps
        on streams of their own, none of which was recorded after `on`."""
        self.day = on
        self._next = self._opening(on)

    @property
    def next(self) -> datetime:
        """The time the next call records (UTC), for a clock that goes on from here."""
        return self._next.astimezone(UTC)

    def resume_after(self, at: datetime) -> None:
        """Record no earlier than `at` (another clock's `next`): a process that goes on
        where another stopped keeps every stream's recorded times growing."""
        self._next = max(self._next, at.astimezone(self.zone))

    def __call__(self) -> datetime:
        now = self._next
        self._next = now + TICK
        return now.astimezone(UTC)
