"""Requests of older databases, as their Project replays them (legacy `Request*` events).

Requests are EnterpriseRequest aggregates now (`cso.domain.enterprise_request`, where the
rules are). A database recorded before keeps each request's events on its project's
stream: the project folds them into rows here, so it still knows which are open and
`cso carry-over-requests` can move each into its own stream.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from cso.domain.enums import CalendarSource, RequestCategory, RequestStatus
from cso.domain.errors import InvalidValue
from cso.domain.project_records import RequestRow


class UnknownRequest(InvalidValue):
    """The project holds no request of an older database with the given id."""

    def __init__(self, request_id: UUID) -> None:
        super().__init__("requestId", f"This project has no request {request_id}.")


def new_request_row(
    request_id: UUID,
    category: RequestCategory,
    description: str,
    raised_on: date,
    due: date,
    calendar_source: CalendarSource | None,
) -> RequestRow:
    return {
        "id": request_id,
        "category": category,
        "description": description,
        "status": RequestStatus.OPEN,
        "departments": [],
        "raised_on": raised_on,
        "due_on": due,
        "resolution": None,
        "resolved_on": None,
        "satisfaction": None,
        "calendar_source": calendar_source,
    }


def find_request(rows: list[RequestRow], request_id: UUID) -> RequestRow:
    """The row with the id. Raises UnknownRequest."""
    for row in rows:
        if row["id"] == request_id:
            return row
    raise UnknownRequest(request_id)


def apply_referral(row: RequestRow, departments: list[str]) -> None:
    row["status"] = RequestStatus.REFERRED
    row["departments"] = list(departments)


def apply_return(row: RequestRow, department: str, reason: str) -> None:
    """OPEN again, referred nowhere (the read model keeps the return)."""
    row["status"] = RequestStatus.OPEN
    row["departments"] = []


def apply_resolution(row: RequestRow, resolution: str, resolved_on: date) -> None:
    row["satisfaction"] = None
    row["status"] = RequestStatus.RESOLVED
    row["resolution"] = resolution
    row["resolved_on"] = resolved_on


def apply_redo(row: RequestRow, due: date) -> None:
    """OPEN again, referred nowhere, unresolved, due anew; the rating stays."""
    row["status"] = RequestStatus.OPEN
    row["departments"] = []
    row["resolution"] = None
    row["resolved_on"] = None
    row["due_on"] = due
    row["redo_count"] = row.get("redo_count", 0) + 1
