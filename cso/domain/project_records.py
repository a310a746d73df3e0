"""The shapes a Project stores, and the read-only views it hands out.

Stored rows are TypedDicts (plain dicts at run time) because snapshots
serialise the aggregate's attributes through the JSON codec; views are frozen
dataclasses built from them on every read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NotRequired, TypedDict
from uuid import UUID

from cso.domain.enums import (
    CalendarSource,
    Milestone,
    RequestCategory,
    RequestStatus,
    ServiceItemStatus,
)


class MilestoneRow(TypedDict):
    milestone: Milestone
    on: date


class PlanItemRow(TypedDict):
    item: str
    completed: bool


class ReturnRow(TypedDict):
    department: str
    reason: str


class ExtensionRow(TypedDict):
    working_days: int
    reason: str
    by: UUID | None


class RequestRow(TypedDict):
    id: UUID
    category: RequestCategory
    description: str
    status: RequestStatus
    departments: list[str]
    raised_on: date
    due_on: date
    resolution: str | None
    resolved_on: date | None
    satisfaction: int | None
    # Absent in snapshots taken before due dates were counted in working days.
    calendar_source: NotRequired[CalendarSource | None]
    # Absent in snapshots taken before requests could be returned.
    returns: NotRequired[list[ReturnRow]]
    # Absent in snapshots taken before deadlines could be extended.
    extensions: NotRequired[list[ExtensionRow]]
    # Absent in snapshots taken before a low rating reopened a request.
    redo_count: NotRequired[int]


@dataclass(frozen=True)
class ReachedMilestone:
    milestone: Milestone
    on: date


@dataclass(frozen=True)
class ServicePlanItem:
    item: str
    completed: bool

    @property
    def status(self) -> ServiceItemStatus:
        return ServiceItemStatus.COMPLETED if self.completed else ServiceItemStatus.PLANNED


@dataclass(frozen=True)
class LegacyRequest:
    """A request (诉求) of an older database, as its project replays it."""

    id: UUID
    category: RequestCategory
    description: str
    status: RequestStatus
    departments: tuple[str, ...]
    raised_on: date
    due_on: date
    resolution: str | None
    resolved_on: date | None
    satisfaction: int | None
    calendar_source: CalendarSource | None = None
    """The calendar the due date was counted on; None for requests raised while due dates
    were counted in calendar days."""
    redo_count: int = 0
    """How many times a rating of 1 or 2 reopened it."""

    @property
    def joint(self) -> bool:
        """Handled jointly (会办): referred to more than one department."""
        return is_joint(self.departments)

    @property
    def overdue_from(self) -> date | None:
        """The first day the request is overdue; None once resolved (it never is then)."""
        return overdue_from(self.status, self.due_on)

    def is_overdue(self, today: date) -> bool:
        """Not yet resolved, and today is after the due date."""
        return is_overdue(self.overdue_from, today)

    @property
    def on_time(self) -> bool | None:
        """Resolved on or before the due date; None while unresolved."""
        if self.resolved_on is None:
            return None
        return resolved_on_time(self.due_on, self.resolved_on)

    @property
    def due_soon_from(self) -> date | None:
        """The first day the request is due soon; None once resolved."""
        return due_soon_from(self.status, self.due_on)


def is_joint(departments: Sequence[str]) -> bool:
    """Handled jointly (会办): referred to more than one department."""
    return len(departments) > 1


def overdue_from(status: RequestStatus, due_on: date) -> date | None:
    """The day after the due date while the request is unresolved; None once resolved.

    Read models store this date, so that "overdue" is one comparison with today
    (`cso.projections.requests.OVERDUE`), decided here and nowhere else.
    """
    if not is_open(status):
        return None
    return due_on + timedelta(days=1)


def is_overdue(overdue_from: date | None, today: date) -> bool:
    """Overdue: today is on or after the stored `overdue_from` date."""
    return overdue_from is not None and today >= overdue_from


def resolved_on_time(due_on: date, resolved_on: date) -> bool:
    """On time: resolved on or before the due date (the dashboard's on-time rate counts
    these over all resolved requests; the read model stores the answer)."""
    return resolved_on <= due_on


# A department's screen flags a request in the last days before its due date.
DUE_SOON_DAYS = 3


def due_soon_from(status: RequestStatus, due_on: date) -> date | None:
    """The first day the request is due soon: DUE_SOON_DAYS calendar days before the due
    date, while unresolved; None once resolved. Due soon lasts until it is overdue.

    Stored by the read model beside `overdue_from`, so "due soon" is two comparisons with
    today (`cso.projections.request_queries.DUE_SOON`).
    """
    if status is RequestStatus.RESOLVED:
        return None
    return due_on - timedelta(days=DUE_SOON_DAYS - 1)


def is_due_soon(due_soon_from: date | None, overdue_from: date | None, today: date) -> bool:
    """Due soon: on or after `due_soon_from`, and not yet overdue."""
    return (
        due_soon_from is not None and today >= due_soon_from and not is_overdue(overdue_from, today)
    )


def milestone_view(row: MilestoneRow) -> ReachedMilestone:
    return ReachedMilestone(milestone=row["milestone"], on=row["on"])


def plan_item_view(row: PlanItemRow) -> ServicePlanItem:
    return ServicePlanItem(item=row["item"], completed=row["completed"])


def request_view(row: RequestRow) -> LegacyRequest:
    return LegacyRequest(
        id=row["id"],
        category=row["category"],
        description=row["description"],
        status=row["status"],
        departments=tuple(row["departments"]),
        raised_on=row["raised_on"],
        due_on=row["due_on"],
        resolution=row["resolution"],
        resolved_on=row["resolved_on"],
        satisfaction=row["satisfaction"],
        calendar_source=row.get("calendar_source"),
        redo_count=row.get("redo_count", 0),
    )


def is_open(status: RequestStatus) -> bool:
    """Not resolved (OPEN or REFERRED): its case keeps its id, and the read model counts it
    among the open ones by this stored flag."""
    return status is not RequestStatus.RESOLVED


@dataclass(frozen=True)
class Deadlines:
    """What a request's status and due date decide of it, as the read model stores it."""

    open: bool
    overdue_from: date | None
    due_soon_from: date | None


def deadlines(status: RequestStatus, due_on: date) -> Deadlines:
    """`is_open`, `overdue_from` and `due_soon_from` of a request with this status and due
    date (the last two None once resolved)."""
    return Deadlines(is_open(status), overdue_from(status, due_on), due_soon_from(status, due_on))
