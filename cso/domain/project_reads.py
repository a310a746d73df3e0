"""Read-only views of a Project's state, for services and the GraphQL layer.

A mixin so that project.py holds only the commands and their events; the
state it reads is declared here and assigned by ``Project.__init__``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from cso.domain import project_requests as rq
from cso.domain.enums import Milestone, ProjectOutcome, ProjectStage, RequestStatus
from cso.domain.project_records import (
    AssignmentRow,
    CsoAssignment,
    EnterpriseRequest,
    MilestoneRow,
    PlanItemRow,
    ReachedMilestone,
    RequestRow,
    ServicePlanItem,
    ServiceRecord,
    ServiceRow,
    assignment_view,
    milestone_view,
    plan_item_view,
    request_view,
    service_view,
)


class ProjectReads:
    enterprise_id: UUID
    name: str
    investment: Decimal
    chain_id: UUID | None
    outcome: ProjectOutcome | None
    close_reason: str | None
    _milestones: list[MilestoneRow]
    _assignments: list[AssignmentRow]
    _plan: list[PlanItemRow]
    _services: list[ServiceRow]
    _requests: list[RequestRow]

    @property
    def signed_on(self) -> date:
        return self._milestones[0]["on"]

    @property
    def closed(self) -> bool:
        return self.outcome is not None

    @property
    def latest_milestone(self) -> Milestone:
        return self._milestones[-1]["milestone"]

    @property
    def stage(self) -> ProjectStage:
        """The latest milestone reached, or CLOSED."""
        return ProjectStage.CLOSED if self.closed else ProjectStage.of(self.latest_milestone)

    @property
    def milestones(self) -> list[ReachedMilestone]:
        return [milestone_view(row) for row in self._milestones]

    def milestone_date(self, milestone: Milestone) -> date | None:
        return next((r["on"] for r in self._milestones if r["milestone"] is milestone), None)

    @property
    def cso_id(self) -> UUID | None:
        if self._assignments and self._assignments[-1]["end"] is None:
            return self._assignments[-1]["officer_id"]
        return None

    @property
    def cso_assignments(self) -> list[CsoAssignment]:
        """Every CSO the project has had, oldest first; the last may be active."""
        return [assignment_view(row) for row in self._assignments]

    @property
    def service_plan(self) -> list[ServicePlanItem]:
        return [plan_item_view(row) for row in self._plan]

    @property
    def services(self) -> list[ServiceRecord]:
        return [service_view(row) for row in self._services]

    @property
    def requests(self) -> list[EnterpriseRequest]:
        return [request_view(row) for row in self._requests]

    @property
    def open_requests(self) -> list[EnterpriseRequest]:
        """Requests not yet resolved (open or referred)."""
        return [r for r in self.requests if r.status is not RequestStatus.RESOLVED]

    def request(self, request_id: UUID) -> EnterpriseRequest:
        return request_view(rq.find_request(self._requests, request_id))

    def overdue_requests(self, today: date) -> list[EnterpriseRequest]:
        return [r for r in self.requests if r.is_overdue(today)]
