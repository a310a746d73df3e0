"""The shapes a Project stores, and the read-only views it hands out.

Stored rows are TypedDicts (plain dicts at run time) because snapshots
serialise the aggregate's attributes through the JSON codec; views are frozen
dataclasses built from them on every read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypedDict
from uuid import UUID

from cso.domain.enums import (
    Milestone,
    RequestCategory,
    RequestStatus,
    ServiceItemStatus,
    ServiceKind,
)


class MilestoneRow(TypedDict):
    milestone: Milestone
    on: date


class AssignmentRow(TypedDict):
    officer_id: UUID
    start: date
    end: date | None
    reason: str | None


class PlanItemRow(TypedDict):
    item: str
    completed: bool


class ServiceRow(TypedDict):
    id: UUID
    kind: ServiceKind
    summary: str
    occurred_on: date
    officer_id: UUID


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


@dataclass(frozen=True)
class ReachedMilestone:
    milestone: Milestone
    on: date


@dataclass(frozen=True)
class CsoAssignment:
    """One CSO's term on the project; ``end`` is None while it lasts."""

    officer_id: UUID
    start: date
    end: date | None
    reason: str | None

    @property
    def active(self) -> bool:
        return self.end is None


@dataclass(frozen=True)
class ServicePlanItem:
    item: str
    completed: bool

    @property
    def status(self) -> ServiceItemStatus:
        return ServiceItemStatus.COMPLETED if self.completed else ServiceItemStatus.PLANNED


@dataclass(frozen=True)
class ServiceRecord:
    id: UUID
    kind: ServiceKind
    summary: str
    occurred_on: date
    officer_id: UUID


@dataclass(frozen=True)
class EnterpriseRequest:
    """A request (诉求) the enterprise raised."""

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

    @property
    def joint(self) -> bool:
        """Handled jointly (会办): referred to more than one department."""
        return len(self.departments) > 1

    def is_overdue(self, today: date) -> bool:
        return is_overdue(self, today)


def is_overdue(request: EnterpriseRequest, today: date) -> bool:
    """Not yet resolved, and today is after the due date."""
    return request.status is not RequestStatus.RESOLVED and today > request.due_on


def milestone_view(row: MilestoneRow) -> ReachedMilestone:
    return ReachedMilestone(milestone=row["milestone"], on=row["on"])


def assignment_view(row: AssignmentRow) -> CsoAssignment:
    return CsoAssignment(
        officer_id=row["officer_id"], start=row["start"], end=row["end"], reason=row["reason"]
    )


def plan_item_view(row: PlanItemRow) -> ServicePlanItem:
    return ServicePlanItem(item=row["item"], completed=row["completed"])


def service_view(row: ServiceRow) -> ServiceRecord:
    return ServiceRecord(
        id=row["id"],
        kind=row["kind"],
        summary=row["summary"],
        occurred_on=row["occurred_on"],
        officer_id=row["officer_id"],
    )


def request_view(row: RequestRow) -> EnterpriseRequest:
    return EnterpriseRequest(
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
    )
