"""The rules an EnterpriseRequest (`cso.domain.enterprise_request`) keeps, apart from its
aggregate: the ranges of a rating and an extension, what a rating reopens, how a due date
is counted, what a case keeping requests offers (`RequestCase`), and the refusals.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol
from uuid import UUID

from cso.domain.enums import RequestCategory
from cso.domain.errors import RuleViolation
from cso.domain.working_days import CalendarLookup, WorkingDayCount, add_working_days

SATISFACTION_RANGE = range(1, 6)
# An enterprise this unsatisfied gets its request handled again (a redo).
REDO_AT_MOST = 2
# An extension is a grace of days, not a new deadline; and the calendars a count reads stay
# within the year it starts in and the next.
EXTENSION_RANGE = range(1, 31)


class RequestAlreadyResolved(RuleViolation):
    """A resolved request can be neither referred, returned, extended nor resolved again."""


class RequestNotResolved(RuleViolation):
    """Only a resolved request can be rated."""


class RequestAlreadyRated(RuleViolation):
    """A request is rated once per answer."""


class NotReferredToDepartment(RuleViolation):
    """Only a department the request is referred to may return it."""


class SettledByCancellation(RuleViolation):
    """A request settled because its project was cancelled got no answer to rate."""


# The resolution a request gets when its project is cancelled (see `settle_on_cancellation`).
CANCELLED_RESOLUTION = "Settled without an answer: project {project} was cancelled."


class RequestCase(Protocol):
    """What a request is raised on (a Project, a SecretaryPosting): it keeps the ids of its
    open requests, changed in the same append as the request."""

    @property
    def id(self) -> UUID: ...

    @property
    def enterprise_id(self) -> UUID: ...

    def ensure_takes_requests(self) -> None:
        """Raises when the case is closed (its requests settled as they are)."""

    def open_request(self, request_id: UUID) -> None:
        """Keep the id of a new (or reopened) request; raises when the case is closed."""

    def settle_request(self, request_id: UUID) -> None:
        """Forget the id of a resolved request."""


def due_on(
    category: RequestCategory, received_on: date, calendars: CalendarLookup
) -> WorkingDayCount:
    """The category's working days after the day received, on the given calendars."""
    return add_working_days(received_on, category.days_to_answer, calendars)


def is_redo(satisfaction: int) -> bool:
    """A rating of 1 or 2 reopens the request."""
    return satisfaction <= REDO_AT_MOST
