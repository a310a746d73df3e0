"""EnterpriseRequest (诉求): one enterprise's request, raised on a case (a project or a posting).

OPEN → REFERRED → RESOLVED → rated. The case officer refers it to a lead department first
and co-handlers after (会办 when more than one); an officer of a referred department may
return it (OPEN again) or resolve it; a rating of 1 or 2 reopens it (a redo), due anew.

The due date and the calendar it was counted on are recorded in the events: a replay never
counts again. State holds what the rules need; returns and extensions are events (and rows
of the requests read model), never lists here. The case keeps the request's id while it is
open, appended with it (`RequestCase`), so a case never closes over an open request. The
ranges, the due-date count and the refusals are in `cso.domain.request_rules`.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from cso.domain.enums import CalendarSource, RequestCategory, RequestSource, RequestStatus
from cso.domain.errors import InvalidValue
from cso.domain.project_records import (
    due_soon_from,
    is_joint,
    is_open,
    is_overdue,
    overdue_from,
    resolved_on_time,
)
from cso.domain.request_rules import (
    CANCELLED_RESOLUTION,
    EXTENSION_RANGE,
    SATISFACTION_RANGE,
    NotReferredToDepartment,
    RequestAlreadyRated,
    RequestAlreadyResolved,
    RequestCase,
    RequestNotResolved,
    SettledByCancellation,
    due_on,
    is_redo,
)
from cso.domain.values import TEXT_MAX_LENGTH, require_enum, require_text, unique_texts
from cso.domain.working_days import CalendarLookup, add_working_days


class EnterpriseRequest(Aggregate):
    """One enterprise request (诉求) in its own stream: its case, category, status, the
    departments it is referred to, due date, answer and rating (see the module docstring)."""

    @event("Raised")
    def __init__(
        self,
        source: RequestSource,
        case_id: UUID,
        enterprise_id: UUID,
        category: RequestCategory,
        description: str,
        received_on: date,
        due_on: date,
        calendar_source: CalendarSource | None,
        calendar_version: str | None,
    ) -> None:
        self.source = source
        self.case_id = case_id
        self.enterprise_id = enterprise_id
        self.category = category
        self.description = description
        self.received_on = received_on
        self.due_on = due_on
        self.calendar_source = calendar_source
        self.status = RequestStatus.OPEN
        self.departments: list[str] = []
        self.resolution: str | None = None
        self.resolved_on: date | None = None
        self.satisfaction: int | None = None
        self.redo_count = 0

    @classmethod
    def raise_on(
        cls,
        case: RequestCase,
        source: RequestSource,
        category: RequestCategory,
        description: str,
        received_on: date,
        calendars: CalendarLookup,
    ) -> EnterpriseRequest:
        """A request on ``case`` (its id kept by the case in the same append), received on
        ``received_on`` (the case has checked the date) and due the category's working days
        later on ``calendars``. Raises InvalidValue, and what ``case.open_request`` raises."""
        category = require_enum("category", category, RequestCategory)
        description = require_text("description", description, TEXT_MAX_LENGTH)
        due = due_on(category, received_on, calendars)
        request = cls._create(
            cls.Raised,  # type: ignore[attr-defined]
            id=uuid4(),
            source=require_enum("source", source, RequestSource),
            case_id=case.id,
            enterprise_id=case.enterprise_id,
            category=category,
            description=description,
            received_on=received_on,
            due_on=due.on,
            calendar_source=due.calendar.source,
            calendar_version=due.calendar.version,
        )
        case.open_request(request.id)
        return request

    @classmethod
    def carry_over(
        cls, request_id: UUID, case: RequestCase, legacy: dict[str, Any]
    ) -> EnterpriseRequest:
        """The request ``request_id`` of an older database, kept inside its project until
        now, in its own stream with the same id: Raised with what it was raised with, then
        CarriedOver with the rest of its state (``legacy`` holds the project's request row)."""
        request = cls._create(
            cls.Raised,  # type: ignore[attr-defined]
            id=request_id,
            source=RequestSource.PROJECT,
            case_id=case.id,
            enterprise_id=case.enterprise_id,
            category=legacy["category"],
            description=legacy["description"],
            received_on=legacy["raised_on"],
            due_on=legacy["due_on"],
            calendar_source=legacy.get("calendar_source"),
            calendar_version=None,
        )
        request._carry_over(
            status=legacy["status"],
            departments=list(legacy["departments"]),
            due_on=legacy["due_on"],
            resolution=legacy["resolution"],
            resolved_on=legacy["resolved_on"],
            satisfaction=legacy["satisfaction"],
            redo_count=legacy.get("redo_count", 0),
        )
        return request

    @event("CarriedOver")
    def _carry_over(
        self,
        status: RequestStatus,
        departments: list[str],
        due_on: date,
        resolution: str | None,
        resolved_on: date | None,
        satisfaction: int | None,
        redo_count: int,
    ) -> None:
        self.status = status
        self.departments = departments
        self.due_on = due_on
        self.resolution = resolution
        self.resolved_on = resolved_on
        self.satisfaction = satisfaction
        self.redo_count = redo_count

    # -- reads ---------------------------------------------------------------

    @property
    def project_id(self) -> UUID | None:
        return self.case_id if self.source is RequestSource.PROJECT else None

    @property
    def posting_id(self) -> UUID | None:
        return self.case_id if self.source is RequestSource.POSTING else None

    @property
    def open(self) -> bool:
        """Not resolved (OPEN or REFERRED): the case keeps its id; the read model's flag."""
        return is_open(self.status)

    @property
    def joint(self) -> bool:
        """Handled jointly (会办): referred to more than one department."""
        return is_joint(self.departments)

    @property
    def lead_department(self) -> str | None:
        return self.departments[0] if self.departments else None

    @property
    def overdue_from(self) -> date | None:
        return overdue_from(self.status, self.due_on)

    @property
    def due_soon_from(self) -> date | None:
        return due_soon_from(self.status, self.due_on)

    def is_overdue(self, today: date) -> bool:
        return is_overdue(self.overdue_from, today)

    @property
    def on_time(self) -> bool | None:
        """Resolved on or before the due date; None while unresolved, or when settled
        because its project was cancelled (no answer was given, on time or late)."""
        if self.__dict__.get("settled_by_cancellation", False):
            return None
        return None if self.resolved_on is None else resolved_on_time(self.due_on, self.resolved_on)

    # -- commands ------------------------------------------------------------

    def _ensure_unresolved(self, doing: str) -> None:
        if self.status is RequestStatus.RESOLVED:
            raise RequestAlreadyResolved(
                f"Request {self.id} is already resolved; it cannot be {doing}."
            )

    def refer(self, departments: list[str]) -> None:
        """Refer (转办) to a lead department first, co-handlers after (会办); the list
        replaces the last one. Raises InvalidValue, RequestAlreadyResolved."""
        checked = unique_texts("departments", departments)
        self._ensure_unresolved("referred")
        self._refer(departments=checked)

    @event("Referred")
    def _refer(self, departments: list[str]) -> None:
        self.status = RequestStatus.REFERRED
        self.departments = list(departments)

    def return_from(self, department: str, reason: str | None) -> None:
        """A department it is referred to sends it back (退回) with a reason: OPEN again,
        referred nowhere. Raises InvalidValue, RequestAlreadyResolved, NotReferredToDepartment."""
        department = require_text("department", department, TEXT_MAX_LENGTH)
        reason = require_text("reason", reason or "", TEXT_MAX_LENGTH)
        self._ensure_unresolved("returned")
        if self.status is not RequestStatus.REFERRED or department not in self.departments:
            raise NotReferredToDepartment(
                f"Request {self.id} is not referred to {department}; only a department it is "
                "referred to may return it."
            )
        self._return(department=department, reason=reason)

    @event("Returned")
    def _return(self, department: str, reason: str) -> None:
        self.status = RequestStatus.OPEN
        self.departments = []

    def extend_deadline(
        self, working_days: int, reason: str | None, by: UUID | None, calendars: CalendarLookup
    ) -> date:
        """Move the due date ``working_days`` (1–30) working days later on ``calendars``, with
        a reason; ``by`` is the supervisor's officer id, when they have one. Returns the new
        due date; raises InvalidValue, RequestAlreadyResolved."""
        if isinstance(working_days, bool) or not isinstance(working_days, int):
            raise InvalidValue("workingDays", "Working days are a whole number from 1 to 30.")
        if working_days not in EXTENSION_RANGE:
            raise InvalidValue("workingDays", f"Working days are from 1 to 30, not {working_days}.")
        reason = require_text("reason", reason or "", TEXT_MAX_LENGTH)
        self._ensure_unresolved("given more time")
        due = add_working_days(self.due_on, working_days, calendars)
        self._extend(
            working_days=working_days,
            reason=reason,
            by=by,
            due_on=due.on,
            calendar_source=due.calendar.source,
            calendar_version=due.calendar.version,
        )
        return due.on

    @event("DeadlineExtended")
    def _extend(
        self,
        working_days: int,
        reason: str,
        by: UUID | None,
        due_on: date,
        calendar_source: CalendarSource,
        calendar_version: str,
    ) -> None:
        self.due_on = due_on

    def resolve(self, resolution: str, today: date, case: RequestCase) -> None:
        """Answered today; ``case`` forgets the id in the same append. Raises InvalidValue,
        RequestAlreadyResolved, and what the case raises."""
        resolution = require_text("resolution", resolution, TEXT_MAX_LENGTH)
        self._ensure_unresolved("resolved again")
        case.ensure_takes_requests()
        self._resolve(
            resolution=resolution,
            resolved_on=today,
            due_on=self.due_on,
            on_time=resolved_on_time(self.due_on, today),
        )
        # After the request's own event (the case was checked first), so that the case
        # replayed to the moment it forgot the id sees the request resolved.
        case.settle_request(self.id)

    @event("Resolved")
    def _resolve(
        self,
        resolution: str,
        resolved_on: date,
        due_on: date,
        on_time: bool | None,
        cancelled: bool = False,
    ) -> None:
        # A new answer is rated anew (after a redo, the last rating was of the last answer).
        self.satisfaction = None
        self.settled_by_cancellation = cancelled
        self.status = RequestStatus.RESOLVED
        self.resolution = resolution
        self.resolved_on = resolved_on

    def settle_on_cancellation(self, today: date, project_name: str) -> None:
        """Its project was cancelled: RESOLVED today with a resolution saying so, in the
        same append as the close (the caller, `Project.close`, forgets the id). `on_time`
        is None, so the on-time figure (over requests resolved on time or late) leaves it
        out, and it cannot be rated (no answer was given). Raises RequestAlreadyResolved."""
        self._ensure_unresolved("settled")
        self._resolve(
            resolution=CANCELLED_RESOLUTION.format(project=project_name),
            resolved_on=today,
            due_on=self.due_on,
            on_time=None,
            cancelled=True,
        )

    def rate(
        self, satisfaction: int, today: date, case: RequestCase, calendars: CalendarLookup
    ) -> None:
        """Rate the answer 1–5. A rating of 1 or 2 reopens it (a redo): OPEN, referred
        nowhere, due the category's working days after today; ``case`` keeps its id again
        in the same append. Raises InvalidValue, RequestNotResolved, RequestAlreadyRated,
        and what ``case.open_request`` raises (a closed project takes no redo)."""
        if isinstance(satisfaction, bool) or not isinstance(satisfaction, int):
            raise InvalidValue("satisfaction", "Satisfaction is a whole number from 1 to 5.")
        if satisfaction not in SATISFACTION_RANGE:
            raise InvalidValue("satisfaction", f"Satisfaction is from 1 to 5, not {satisfaction}.")
        if self.status is not RequestStatus.RESOLVED:
            raise RequestNotResolved(
                f"Request {self.id} is not resolved yet; only a resolved request can be rated."
            )
        if self.__dict__.get("settled_by_cancellation", False):
            raise SettledByCancellation(
                f"Request {self.id} was settled because its project was cancelled; "
                "there is no answer to rate."
            )
        if self.satisfaction is not None:
            raise RequestAlreadyRated(f"Request {self.id} has already been rated.")
        if is_redo(satisfaction):
            case.ensure_takes_requests()
        self._rate(satisfaction=satisfaction)
        if is_redo(satisfaction):
            due = due_on(self.category, today, calendars)
            self._redo(
                reopened_on=today,
                due_on=due.on,
                calendar_source=due.calendar.source,
                calendar_version=due.calendar.version,
            )
            # As in `resolve`: the case keeps the id after the request's events.
            case.open_request(self.id)

    @event("Rated")
    def _rate(self, satisfaction: int) -> None:
        self.satisfaction = satisfaction

    @event("Redone")
    def _redo(
        self,
        reopened_on: date,
        due_on: date,
        calendar_source: CalendarSource,
        calendar_version: str,
    ) -> None:
        # The rating stays until the next answer; the case officer refers it again.
        self.status = RequestStatus.OPEN
        self.departments = []
        self.resolution = None
        self.resolved_on = None
        self.due_on = due_on
        self.redo_count += 1
