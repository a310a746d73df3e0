"""Project: one investment project, followed by one CSO from signing to operation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from cso.domain import project_requests as rq
from cso.domain.enterprise_request import EnterpriseRequest
from cso.domain.enums import (
    CalendarSource,
    Milestone,
    OfficerRole,
    ProjectOutcome,
    RequestCategory,
    RequestSource,
    RequestStatus,
    ServiceKind,
)
from cso.domain.officer import Officer
from cso.domain.project_errors import (
    CsoAlreadyAssigned,
    DateBeforeSigning,
    DateInFuture,
    MilestoneBeforePrevious,
    MilestoneOutOfOrder,
    NoCsoAssigned,
    NotYetOperating,
    OpenRequestsRemain,
    ProjectClosed,
    ReassignmentNeedsReason,
    ServiceItemAlreadyCompleted,
    UnknownServiceItem,
)
from cso.domain.project_reads import ProjectReads
from cso.domain.values import (
    TEXT_MAX_LENGTH,
    optional_text,
    require_date,
    require_enum,
    require_text,
    unique_texts,
    validate_investment,
)
from cso.domain.working_days import CalendarLookup, weekends_only


class Project(ProjectReads, Aggregate):
    @event("Registered")
    def __init__(
        self,
        enterprise_id: UUID,
        name: str,
        investment: Decimal,
        chain_id: UUID | None,
        signed_on: date,
    ) -> None:
        self.enterprise_id = enterprise_id
        self.name = name
        self.investment = investment
        self.chain_id = chain_id
        self._milestones = [{"milestone": Milestone.SIGNED, "on": signed_on}]
        # What the rules need of the CSO's terms and the service timeline, never the
        # timeline itself: those live as events and in the projects read model.
        self.cso_id = None
        self.cso_since = None
        self.cso_terms = 0
        self._plan = []
        self.service_count = 0
        self.latest_service_on = None
        self._requests = []  # requests of older databases, until carried over
        self._open_ids: list[UUID] = []
        self.outcome = None
        self.close_reason = None

    @classmethod
    def register(
        cls,
        enterprise_id: UUID,
        name: str,
        investment: Decimal | int,
        chain_id: UUID | None,
        signed_on: date,
        today: date,
    ) -> Project:
        """Registration records the SIGNED milestone on ``signed_on``."""
        signed_on = require_date("signedOn", signed_on)
        if signed_on > today:
            raise DateInFuture(f"A project cannot be signed in the future ({signed_on}).")
        return cls(
            enterprise_id=enterprise_id,
            name=require_text("name", name),
            investment=validate_investment(investment),
            chain_id=chain_id,
            signed_on=signed_on,
        )

    def _ensure_open(self) -> None:
        if self.outcome is not None:
            raise ProjectClosed(
                f"Project {self.name} is closed ({self.outcome.value}); nothing more is recorded."
            )

    def _ensure_dated_fact(self, field: str, on: date, today: date) -> date:
        on = require_date(field, on)
        if on > today:
            raise DateInFuture(f"The date {on} is in the future; only past facts are recorded.")
        if on < self.signed_on:
            raise DateBeforeSigning(
                f"The date {on} is before the project was signed ({self.signed_on})."
            )
        return on

    # -- milestones --------------------------------------------------------

    def reach_milestone(self, milestone: Milestone, on: date, today: date) -> None:
        """Reach exactly the next milestone, dated no earlier than the previous one."""
        self._ensure_open()
        milestone = require_enum("milestone", milestone, Milestone)
        expected = self.latest_milestone.next
        if milestone is not expected:
            # With every milestone reached, whatever is asked has been reached.
            if expected is None or self.milestone_date(milestone) is not None:
                detail = f"{milestone.value} has already been reached"
            else:
                detail = f"the next milestone is {expected.value}"
            raise MilestoneOutOfOrder(
                f"Milestones are reached in order; {detail}, so {milestone.value} "
                "cannot be reached now."
            )
        on = self._ensure_dated_fact("on", on, today)
        previous = self._milestones[-1]
        if on < previous["on"]:
            raise MilestoneBeforePrevious(
                f"{milestone.value} cannot be dated {on}, before "
                f"{previous['milestone'].value} on {previous['on']}."
            )
        self._reach_milestone(milestone=milestone, on=on)

    @event("MilestoneReached")
    def _reach_milestone(self, milestone: Milestone, on: date) -> None:
        self._milestones.append({"milestone": milestone, "on": on})

    # -- CSO ---------------------------------------------------------------

    def assign_cso(
        self,
        officer: Officer,
        today: date,
        reason: str | None = None,
        previous: Officer | None = None,
    ) -> None:
        """Assign the first CSO, or replace the current one (which needs a reason).

        `previous` is the current CSO's Officer, when there is one: it releases the case in
        the same append, so the officer's stream always says which projects they hold.
        Raises ValueError when `previous` is not the current CSO (a caller's mistake).
        """
        self._ensure_open()
        officer.ensure_can_serve_as(OfficerRole.CSO)
        reason = optional_text("reason", reason, TEXT_MAX_LENGTH)
        if officer.id == self.cso_id:
            raise CsoAlreadyAssigned(f"{officer.name} is already this project's CSO.")
        if self.cso_id is not None and reason is None:
            raise ReassignmentNeedsReason(
                "A project's CSO is replaced only with a reason for the change."
            )
        self._check_cso(previous)
        officer.assign_as_cso(self.id)
        if previous is not None:
            previous.release_cso_case(self.id)
        self._assign_cso(officer_id=officer.id, on=today, reason=reason)

    def _check_cso(self, officer: Officer | None) -> None:
        """The caller passes the current CSO's Officer (None when there is none)."""
        given = None if officer is None else officer.id
        if given != self.cso_id:
            raise ValueError(f"the project's CSO is {self.cso_id}, not {given}")

    @event("CsoAssigned")
    def _assign_cso(self, officer_id: UUID, on: date, reason: str | None) -> None:
        self.cso_id = officer_id
        self.cso_since = on
        self.cso_terms += 1

    # -- service plan and records ------------------------------------------

    def set_service_plan(self, items: list[str]) -> None:
        """Replace the plan; items that remain keep their completion."""
        self._ensure_open()
        items = unique_texts("items", items)
        if items == [row["item"] for row in self._plan]:
            return
        self._set_service_plan(items=items)

    @event("ServicePlanSet")
    def _set_service_plan(self, items: list[str]) -> None:
        completed = {row["item"] for row in self._plan if row["completed"]}
        self._plan = [{"item": item, "completed": item in completed} for item in items]

    def complete_service_item(self, item: str) -> None:
        self._ensure_open()
        row = next((r for r in self._plan if r["item"] == item.strip()), None)
        if row is None:
            raise UnknownServiceItem(item)
        if row["completed"]:
            raise ServiceItemAlreadyCompleted(f"Service item {row['item']!r} is already completed.")
        self._complete_service_item(item=row["item"])

    @event("ServiceItemCompleted")
    def _complete_service_item(self, item: str) -> None:
        for row in self._plan:
            if row["item"] == item:
                row["completed"] = True

    def record_service(
        self,
        kind: ServiceKind,
        summary: str,
        occurred_on: date,
        today: date,
        officer_id: UUID | None = None,
    ) -> UUID:
        """Record what an officer did (the current CSO unless ``officer_id`` says who)."""
        self._ensure_open()
        cso_id = self.cso_id
        if cso_id is None:
            raise NoCsoAssigned("No service is recorded on a project without a CSO.")
        kind = require_enum("kind", kind, ServiceKind)
        summary = require_text("summary", summary, TEXT_MAX_LENGTH)
        occurred_on = self._ensure_dated_fact("occurredOn", occurred_on, today)
        service_id = uuid4()
        self._record_service(
            service_id=service_id,
            kind=kind,
            summary=summary,
            occurred_on=occurred_on,
            officer_id=cso_id if officer_id is None else officer_id,
        )
        return service_id

    @event("ServiceRecorded")
    def _record_service(
        self,
        service_id: UUID,
        kind: ServiceKind,
        summary: str,
        occurred_on: date,
        officer_id: UUID,
    ) -> None:
        self.service_count += 1
        if self.latest_service_on is None or occurred_on > self.latest_service_on:
            self.latest_service_on = occurred_on

    # -- requests ----------------------------------------------------------
    # Requests are EnterpriseRequest aggregates; the project keeps the ids of its open
    # ones, changed in the same append as the request, so closing sees every open request.

    def raise_request(
        self,
        category: RequestCategory,
        description: str,
        today: date,
        received_on: date | None = None,
        calendars: CalendarLookup = weekends_only,
    ) -> EnterpriseRequest:
        """A new request on this project, received on ``received_on`` (default today; never
        in the future, nor before signing), due the category's working days later on
        ``calendars``; its id is kept here. Raises ProjectClosed, InvalidValue,
        DateInFuture, DateBeforeSigning."""
        self._ensure_open()
        received_on = self._ensure_dated_fact(
            "receivedOn", today if received_on is None else received_on, today
        )
        return EnterpriseRequest.raise_on(
            self, RequestSource.PROJECT, category, description, received_on, calendars
        )

    def ensure_takes_requests(self) -> None:
        """A closed project's requests are settled as they are. Raises ProjectClosed."""
        self._ensure_open()

    def open_request(self, request_id: UUID) -> None:
        """Keep the id of a new request, or of one a low rating reopened (a redo). A closed
        project takes neither: closing needed every request resolved, and a redo would
        reopen work on a case that is over. Raises ProjectClosed."""
        self._ensure_open()
        if request_id not in self.open_request_ids:
            self._open_request(request_id=request_id)

    @event("RequestOpened")
    def _open_request(self, request_id: UUID) -> None:
        self._open_ids = [*self.__dict__.get("_open_ids", []), request_id]

    @property
    def kept_request_ids(self) -> list[UUID]:
        """The ids of its open EnterpriseRequests (those in their own streams)."""
        return list(self.__dict__.get("_open_ids", []))

    def settle_request(self, request_id: UUID) -> None:
        """Forget the id of a resolved request. Raises ProjectClosed (as resolving on a
        closed project always has)."""
        self._ensure_open()
        self._settle_request(request_id=request_id)

    @event("RequestSettled")
    def _settle_request(self, request_id: UUID) -> None:
        self._open_ids = [i for i in self.__dict__.get("_open_ids", []) if i != request_id]

    def carry_over_request(self, request_id: UUID) -> EnterpriseRequest:
        """Move a request of an older database, kept in this project's state, into its own
        EnterpriseRequest stream with the same id (appended together). Raises UnknownRequest."""
        legacy = rq.find_request(self._requests, request_id)
        request = EnterpriseRequest.carry_over(request_id, self, dict(legacy))
        self._carry_over_request(request_id=request_id)
        return request

    @event("RequestCarriedOver")
    def _carry_over_request(self, request_id: UUID) -> None:
        row = rq.find_request(self._requests, request_id)
        self._requests = [r for r in self._requests if r["id"] != request_id]
        if row["status"] is not RequestStatus.RESOLVED:
            self._open_ids = [*self.__dict__.get("_open_ids", []), request_id]

    # -- requests of older databases ------------------------------------------
    # Events recorded while requests lived inside their project. No command records them
    # any more; they replay into `_requests` until `cso carry-over-requests` moves each.

    @event("RequestRaised")
    def _raise_request(
        self,
        request_id: UUID,
        category: RequestCategory,
        description: str,
        raised_on: date,
        due_on: date,
        calendar_source: CalendarSource | None = None,
        calendar_version: str | None = None,
    ) -> None:
        self._requests.append(
            rq.new_request_row(
                request_id, category, description, raised_on, due_on, calendar_source
            )
        )

    @event("RequestReferred")
    def _refer_request(self, request_id: UUID, departments: list[str]) -> None:
        rq.apply_referral(rq.find_request(self._requests, request_id), departments)

    @event("RequestReturned")
    def _return_request(self, request_id: UUID, department: str, reason: str) -> None:
        rq.apply_return(rq.find_request(self._requests, request_id), department, reason)

    @event("RequestDeadlineExtended")
    def _extend_request_deadline(
        self,
        request_id: UUID,
        working_days: int,
        reason: str,
        by: UUID | None,
        due_on: date,
        calendar_source: CalendarSource,
        calendar_version: str,
    ) -> None:
        rq.find_request(self._requests, request_id)["due_on"] = due_on

    @event("RequestResolved")
    def _resolve_request(
        self, request_id: UUID, resolution: str, resolved_on: date, on_time: bool | None = None
    ) -> None:
        rq.apply_resolution(rq.find_request(self._requests, request_id), resolution, resolved_on)

    @event("RequestRedone")
    def _redo_request(
        self,
        request_id: UUID,
        reopened_on: date,
        due_on: date,
        calendar_source: CalendarSource,
        calendar_version: str,
    ) -> None:
        rq.apply_redo(rq.find_request(self._requests, request_id), due_on)

    @event("RequestRated")
    def _rate_request(self, request_id: UUID, satisfaction: int) -> None:
        rq.find_request(self._requests, request_id)["satisfaction"] = satisfaction

    # -- closing -----------------------------------------------------------

    def close(
        self,
        outcome: ProjectOutcome,
        reason: str | None = None,
        cso: Officer | None = None,
        open_requests: Sequence[EnterpriseRequest] = (),
        today: date | None = None,
    ) -> None:
        """Close for good. CANCELLED is always allowed; the others need every
        request resolved, and OPERATING needs the OPERATING milestone.

        Cancelling settles every open request in the same append (`open_requests`, the
        EnterpriseRequests of `open_request_ids`, loaded by the caller): each is RESOLVED on
        ``today`` with a resolution saying the project was cancelled, left out of the
        on-time figure and never rated (`EnterpriseRequest.settle_on_cancellation`), so no
        queue keeps a request nobody may act on any more. Requests of an older database
        still in this project's state stay as they are until carried over.

        `cso` is the current CSO's Officer, when there is one: it releases the case in the
        same append. Raises ValueError when it is not the current CSO, or `open_requests`
        are not this project's open requests (a caller's mistake).
        """
        self._ensure_open()
        outcome = require_enum("outcome", outcome, ProjectOutcome)
        reason = optional_text("reason", reason, TEXT_MAX_LENGTH)
        if outcome is ProjectOutcome.OPERATING and self.latest_milestone is not Milestone.OPERATING:
            raise NotYetOperating(
                "A project closes as OPERATING only after reaching the OPERATING "
                f"milestone; it is at {self.latest_milestone.value}."
            )
        unresolved = len(self.open_request_ids)
        if outcome is not ProjectOutcome.CANCELLED and unresolved:
            raise OpenRequestsRemain(
                f"A project closes as {outcome.value} only when every request is "
                f"resolved; {unresolved} still open."
            )
        self._check_cso(cso)
        if outcome is ProjectOutcome.CANCELLED:
            self._settle_on_cancellation(open_requests, today)
        if cso is not None:
            cso.release_cso_case(self.id)
        self._close(outcome=outcome, reason=reason)

    def _settle_on_cancellation(
        self, open_requests: Sequence[EnterpriseRequest], today: date | None
    ) -> None:
        kept = set(self.kept_request_ids)
        if {r.id for r in open_requests} != kept:
            raise ValueError("open_requests must be this project's open requests")
        if open_requests and today is None:
            raise ValueError("settling requests needs today's date")
        for request in open_requests:
            assert today is not None  # checked above; for the type checker
            request.settle_on_cancellation(today, self.name)
            self._settle_request(request_id=request.id)

    @event("Closed")
    def _close(self, outcome: ProjectOutcome, reason: str | None) -> None:
        self.outcome = outcome
        self.close_reason = reason
