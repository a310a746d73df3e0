"""A project with its EnterpriseRequests at hand, for tests written per project.

Requests are their own aggregates; a test that follows one project's requests holds the
project and the requests it raised here, and acts on them by id as the use cases do (each
command on the request, with the project as its case). Anything else is the project's.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from cso.domain.enterprise_request import EnterpriseRequest
from cso.domain.enums import ProjectOutcome, RequestCategory
from cso.domain.officer import Officer
from cso.domain.project import Project
from cso.domain.working_days import CalendarLookup, weekends_only


class RequestDesk:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.requests: dict[UUID, EnterpriseRequest] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.project, name)

    def raise_request(
        self,
        category: RequestCategory,
        description: str,
        today: date,
        received_on: date | None = None,
        calendars: CalendarLookup = weekends_only,
    ) -> UUID:
        request = self.project.raise_request(category, description, today, received_on, calendars)
        self.requests[request.id] = request
        return request.id

    def request(self, request_id: UUID) -> EnterpriseRequest:
        return self.requests[request_id]

    def refer_request(self, request_id: UUID, departments: list[str]) -> None:
        self.project.ensure_takes_requests()
        self.requests[request_id].refer(departments)

    def return_request(self, request_id: UUID, department: str, reason: str | None) -> None:
        self.project.ensure_takes_requests()
        self.requests[request_id].return_from(department, reason)

    def extend_request_deadline(
        self,
        request_id: UUID,
        working_days: int,
        reason: str | None,
        by: UUID | None,
        calendars: CalendarLookup = weekends_only,
    ) -> date:
        self.project.ensure_takes_requests()
        return self.requests[request_id].extend_deadline(working_days, reason, by, calendars)

    def resolve_request(self, request_id: UUID, resolution: str, today: date) -> None:
        self.requests[request_id].resolve(resolution, today, self.project)

    def rate_request(
        self,
        request_id: UUID,
        satisfaction: int,
        today: date,
        calendars: CalendarLookup = weekends_only,
    ) -> None:
        self.requests[request_id].rate(satisfaction, today, self.project, calendars)

    def close(
        self, outcome: ProjectOutcome, reason: str | None = None, cso: Officer | None = None
    ) -> None:
        """Close as the use case does: with the project's open requests, settled today
        (the latest day a request was raised or answered) when cancelled."""
        kept = [self.requests[i] for i in self.project.kept_request_ids]
        today = max((r.resolved_on or r.received_on for r in self.requests.values()), default=None)
        self.project.close(outcome, reason, cso, kept, today)

    @property
    def open_requests(self) -> list[EnterpriseRequest]:
        return [self.requests[i] for i in self.project.open_request_ids]

    def overdue_requests(self, today: date) -> list[EnterpriseRequest]:
        return [r for r in self.requests.values() if r.is_overdue(today)]

    @property
    def overdue_from(self) -> date | None:
        days = [r.overdue_from for r in self.requests.values() if r.overdue_from is not None]
        return min(days, default=None)

    def all_aggregates(self) -> list[Any]:
        """Its requests and the project, to save together in the order a use case appends
        them (what it created, then what it loaded)."""
        return [*self.requests.values(), self.project]
