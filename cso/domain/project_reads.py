"""Read-only views of a Project's state, for services and the GraphQL layer.

A mixin so that project.py holds only the commands and their events; the
state it reads is declared here and assigned by ``Project.__init__``. The
state is lean: counts, latest dates, the current CSO, the bounded milestones
and plan, the open requests' ids — never the service timeline or past CSO terms, which
live as events and in the projects read model.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from cso.domain import project_requests as rq
from cso.domain.enums import Milestone, ProjectOutcome, ProjectStage, RequestStatus
from cso.domain.project_records import (
    LegacyRequest,
    MilestoneRow,
    PlanItemRow,
    ReachedMilestone,
    RequestRow,
    ServicePlanItem,
    milestone_view,
    plan_item_view,
    request_view,
)


def project_stage(latest_milestone: Milestone, closed: bool) -> ProjectStage:
    """The stage a project shows: CLOSED once closed, else its latest milestone."""
    return ProjectStage.CLOSED if closed else ProjectStage.of(latest_milestone)


class ProjectReads:
    enterprise_id: UUID
    name: str
    investment: Decimal
    chain_id: UUID | None
    outcome: ProjectOutcome | None
    close_reason: str | None
    cso_id: UUID | None  # the active CSO
    cso_since: date | None  # the day the active CSO's term began
    cso_terms: int  # how many CSO terms the project has had, the active one included
    service_count: int
    latest_service_on: date | None
    _milestones: list[MilestoneRow]
    _plan: list[PlanItemRow]
    _requests: list[RequestRow]  # of an older database, until carried over

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
        return project_stage(self.latest_milestone, self.closed)

    @property
    def milestones(self) -> list[ReachedMilestone]:
        return [milestone_view(row) for row in self._milestones]

    def milestone_date(self, milestone: Milestone) -> date | None:
        return next((r["on"] for r in self._milestones if r["milestone"] is milestone), None)

    @property
    def service_plan(self) -> list[ServicePlanItem]:
        return [plan_item_view(row) for row in self._plan]

    @property
    def open_request_ids(self) -> list[UUID]:
        """The requests raised on it and not resolved (OPEN or REFERRED): those of an older
        database still in its state, then the EnterpriseRequests it keeps."""
        legacy = [r["id"] for r in self._requests if r["status"] is not RequestStatus.RESOLVED]
        # Snapshots taken before requests were aggregates have no `_open_ids`.
        return [*legacy, *self.__dict__.get("_open_ids", [])]

    @property
    def legacy_requests(self) -> list[LegacyRequest]:
        """Requests of an older database not yet carried over into their own streams."""
        return [request_view(row) for row in self._requests]

    def legacy_request(self, request_id: UUID) -> LegacyRequest:
        return request_view(rq.find_request(self._requests, request_id))
