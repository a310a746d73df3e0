"""Rules for a project's requests (诉求): raise → refer / joint-handle → resolve → rate.

The Project aggregate records the events; the checks and the row updates
live here so that project.py stays about the project as a whole.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from cso.domain.enums import CalendarSource, RequestCategory, RequestStatus
from cso.domain.errors import InvalidValue, RuleViolation
from cso.domain.project_records import RequestRow
from cso.domain.values import TEXT_MAX_LENGTH, require_text, unique_texts
from cso.domain.working_days import CalendarLookup, WorkingDayCount, add_working_days

SATISFACTION_RANGE = range(1, 6)
# An enterprise this unsatisfied gets its request handled again (a redo).
REDO_AT_MOST = 2
# An extension is a grace of days, not a new deadline; and the calendars a count reads stay
# within the year it starts in and the next.
EXTENSION_RANGE = range(1, 31)


class UnknownRequest(InvalidValue):
    """The project has no request with the given id."""

    def __init__(self, request_id: UUID) -> None:
        super().__init__("requestId", f"This project has no request {request_id}.")


class RequestAlreadyResolved(RuleViolation):
    """A resolved request can be neither referred nor resolved again."""


class RequestNotResolved(RuleViolation):
    """Only a resolved request can be rated."""


class RequestAlreadyRated(RuleViolation):
    """A request is rated once."""


class NotReferredToDepartment(RuleViolation):
    """Only a department the request is referred to may return it."""


def due_on(
    category: RequestCategory, received_on: date, calendars: CalendarLookup
) -> WorkingDayCount:
    """The category's working days after the day received, on the given calendars."""
    return add_working_days(received_on, category.days_to_answer, calendars)


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
    for row in rows:
        if row["id"] == request_id:
            return row
    raise UnknownRequest(request_id)


def _ensure_unresolved(row: RequestRow) -> None:
    if row["status"] is RequestStatus.RESOLVED:
        raise RequestAlreadyResolved(
            f"Request {row['id']} is already resolved; it cannot be referred or resolved again."
        )


def check_referral(row: RequestRow, departments: list[str]) -> list[str]:
    """An open or referred request may be (re)referred; the list replaces the last one."""
    checked = unique_texts("departments", departments)
    _ensure_unresolved(row)
    return checked


def check_resolution(row: RequestRow, resolution: str) -> str:
    checked = require_text("resolution", resolution, TEXT_MAX_LENGTH)
    _ensure_unresolved(row)
    return checked


def check_rating(row: RequestRow, satisfaction: int) -> int:
    if isinstance(satisfaction, bool) or not isinstance(satisfaction, int):
        raise InvalidValue("satisfaction", "Satisfaction is a whole number from 1 to 5.")
    if satisfaction not in SATISFACTION_RANGE:
        raise InvalidValue("satisfaction", f"Satisfaction is from 1 to 5, not {satisfaction}.")
    if row["status"] is not RequestStatus.RESOLVED:
        raise RequestNotResolved(
            f"Request {row['id']} is not resolved yet; only a resolved request can be rated."
        )
    if row["satisfaction"] is not None:
        raise RequestAlreadyRated(f"Request {row['id']} has already been rated.")
    return satisfaction


def apply_referral(row: RequestRow, departments: list[str]) -> None:
    row["status"] = RequestStatus.REFERRED
    row["departments"] = list(departments)


def apply_resolution(row: RequestRow, resolution: str, resolved_on: date) -> None:
    # A new answer is rated anew (after a redo, the last rating was of the last answer).
    row["satisfaction"] = None
    row["status"] = RequestStatus.RESOLVED
    row["resolution"] = resolution
    row["resolved_on"] = resolved_on


def check_return(row: RequestRow, department: str, reason: str | None) -> tuple[str, str]:
    """A referred, unresolved request goes back (退回) from one of its departments, with a
    reason. Returns (department, reason); raises InvalidValue, RequestAlreadyResolved,
    NotReferredToDepartment."""
    department = require_text("department", department, TEXT_MAX_LENGTH)
    reason = require_text("reason", reason or "", TEXT_MAX_LENGTH)
    _ensure_unresolved(row)
    if row["status"] is not RequestStatus.REFERRED or department not in row["departments"]:
        raise NotReferredToDepartment(
            f"Request {row['id']} is not referred to {department}; only a department it is "
            "referred to may return it."
        )
    return department, reason


def apply_return(row: RequestRow, department: str, reason: str) -> None:
    """OPEN again, referred nowhere; the return is kept (the read model keeps its time)."""
    row["status"] = RequestStatus.OPEN
    row["departments"] = []
    row.setdefault("returns", []).append({"department": department, "reason": reason})


def check_extension(row: RequestRow, working_days: int, reason: str | None) -> tuple[int, str]:
    """An unresolved request's due date moves by 1–30 working days, with a reason.
    Returns (working_days, reason); raises InvalidValue, RequestAlreadyResolved."""
    if isinstance(working_days, bool) or not isinstance(working_days, int):
        raise InvalidValue("workingDays", "Working days are a whole number from 1 to 30.")
    if working_days not in EXTENSION_RANGE:
        raise InvalidValue("workingDays", f"Working days are from 1 to 30, not {working_days}.")
    reason = require_text("reason", reason or "", TEXT_MAX_LENGTH)
    if row["status"] is RequestStatus.RESOLVED:
        raise RequestAlreadyResolved(
            f"Request {row['id']} is already resolved; its deadline cannot be extended."
        )
    return working_days, reason


def extended_due_on(
    row: RequestRow, working_days: int, calendars: CalendarLookup
) -> WorkingDayCount:
    """The due date ``working_days`` working days after the current one."""
    return add_working_days(row["due_on"], working_days, calendars)


def apply_extension(
    row: RequestRow, working_days: int, reason: str, by: UUID | None, due: date
) -> None:
    row["due_on"] = due
    row.setdefault("extensions", []).append(
        {"working_days": working_days, "reason": reason, "by": by}
    )


def is_redo(satisfaction: int) -> bool:
    """A rating of 1 or 2 reopens the request."""
    return satisfaction <= REDO_AT_MOST


def apply_redo(row: RequestRow, due: date) -> None:
    """OPEN again, referred nowhere, unresolved, due anew; the rating stays until the
    next answer (the case officer refers it again)."""
    row["status"] = RequestStatus.OPEN
    row["departments"] = []
    row["resolution"] = None
    row["resolved_on"] = None
    row["due_on"] = due
    row["redo_count"] = row.get("redo_count", 0) + 1
