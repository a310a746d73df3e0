"""SecretaryPosting: a first secretary (第一书记) posted to a small or medium enterprise.

A young cadre is posted for a term to guide the enterprise's party building and solve its
urgent problems (急难愁盼). The posting, the enterprise and the officer change in one append
when the posting starts and when it ends, so "at most one active posting per enterprise and
per officer" holds under concurrency (each stream's version check). The enterprise's
problems (急难愁盼) are EnterpriseRequests raised on the posting (source POSTING); the posting
keeps only the ids of the open ones, appended with the request, as a Project does.

A posting does not end while problems are open (a project closes over open requests only
when CANCELLED; a posting has no such outcome): once ended, nobody holds the case, so an
open problem would have no first secretary to refer it, rate the answer or take a redo. A
supervisor who must end a posting early resolves its open problems first (they may).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from cso.domain.date_bounds import (
    TERM_START_AHEAD,
    TERM_WITH_EXTENSIONS_YEARS,
    TERM_YEARS,
    ensure_not_after,
    years_after,
)
from cso.domain.enterprise import Enterprise
from cso.domain.enterprise_request import EnterpriseRequest
from cso.domain.enums import OfficerRole, RequestCategory, RequestSource
from cso.domain.errors import RuleViolation
from cso.domain.officer import Officer
from cso.domain.values import TEXT_MAX_LENGTH, optional_text, require_date, require_text
from cso.domain.working_days import CalendarLookup, weekends_only


class PostingEnded(RuleViolation):
    """Nothing is recorded on a posting that has ended."""


class TermNotAllowed(RuleViolation):
    """A term ends after it starts, and an extension moves its end later."""


class DateNotAllowed(RuleViolation):
    """A date in the future, before the term started, or after it ends."""


class OpenProblemsRemain(RuleViolation):
    """A posting ends only when every problem logged on it is solved."""


class SecretaryPosting(Aggregate):
    """Officer, enterprise (and its chain), sending unit, term; the counts and latest dates
    of visits and party-building guidance (each record is an event and a read-model row);
    term extensions; the end. Active until ended."""

    @event("Posted")
    def __init__(
        self,
        officer_id: UUID,
        enterprise_id: UUID,
        chain_id: UUID | None,
        sending_unit: str,
        term_start: date,
        term_end: date,
    ) -> None:
        self.officer_id = officer_id
        self.enterprise_id = enterprise_id
        self.chain_id = chain_id
        self.sending_unit = sending_unit
        self.term_start = term_start
        self.term_end = term_end
        self.active = True
        self.ended_on: date | None = None
        self.visit_count = 0
        self.latest_visit_on: date | None = None
        self.guidance_count = 0
        self.latest_guidance_on: date | None = None
        self.extension_count = 0
        self._open_ids: list[UUID] = []

    @classmethod
    def post(
        cls,
        officer: Officer,
        enterprise: Enterprise,
        sending_unit: str,
        term_start: date,
        term_end: date,
        today: date,
    ) -> SecretaryPosting:
        """Post `officer` to `enterprise`; the officer and the enterprise take the posting in
        the same append. Raises InvalidValue (sending unit, dates), TermNotAllowed (the term
        ends on or before it starts, or before today), OfficerCannotServe (not an active
        party member with the FIRST_SECRETARY role), PostingAlreadyActive (the officer holds
        one), PostingRequiresSme, SecretaryAlreadyPosted (the enterprise has one).
        A term starts at most six months after today and runs at most three years
        (`cso.domain.date_bounds`); past that, InvalidValue."""
        sending_unit = require_text("sendingUnit", sending_unit)
        term_start = require_date("termStart", term_start)
        term_end = require_date("termEnd", term_end)
        ensure_not_after(
            "termStart", term_start, today + TERM_START_AHEAD, "a term starts within six months"
        )
        if term_end <= term_start:
            raise TermNotAllowed(
                f"A term ends after it starts: {term_end} is not after {term_start}."
            )
        ensure_not_after(
            "termEnd",
            term_end,
            years_after(term_start, TERM_YEARS),
            f"a term runs at most {TERM_YEARS} years from its start",
        )
        if term_end < today:
            raise TermNotAllowed(f"A term that ended on {term_end}, before today, is no posting.")
        officer.ensure_can_serve_as(OfficerRole.FIRST_SECRETARY)
        posting = cls(
            officer_id=officer.id,
            enterprise_id=enterprise.id,
            chain_id=enterprise.chain_id,
            sending_unit=sending_unit,
            term_start=term_start,
            term_end=term_end,
        )
        # A refusal here discards the posting with the rest of the command.
        officer.take_case(OfficerRole.FIRST_SECRETARY, posting.id)
        enterprise.begin_posting(posting.id)
        return posting

    # -- visits and guidance -------------------------------------------------------------

    def record_visit(self, on: date, summary: str, today: date) -> UUID:
        """A visit to the enterprise on `on`; answers the record's id. Raises PostingEnded,
        DateNotAllowed (future, before the term, after its end), InvalidValue."""
        on, summary = self._check_record(on, summary, today)
        record_id = uuid4()
        self._record_visit(record_id=record_id, on=on, summary=summary)
        return record_id

    @event("VisitRecorded")
    def _record_visit(self, record_id: UUID, on: date, summary: str) -> None:
        self.visit_count += 1
        self.latest_visit_on = _later(self.latest_visit_on, on)

    def record_guidance(self, on: date, summary: str, today: date) -> UUID:
        """Party-building guidance given on `on`; answers the record's id. Raises as
        `record_visit` does."""
        on, summary = self._check_record(on, summary, today)
        record_id = uuid4()
        self._record_guidance(record_id=record_id, on=on, summary=summary)
        return record_id

    @event("GuidanceRecorded")
    def _record_guidance(self, record_id: UUID, on: date, summary: str) -> None:
        self.guidance_count += 1
        self.latest_guidance_on = _later(self.latest_guidance_on, on)

    def _check_record(self, on: date, summary: str, today: date) -> tuple[date, str]:
        self._ensure_active("recorded")
        on = self._ensure_in_term("on", on, today)
        return on, require_text("summary", summary, TEXT_MAX_LENGTH)

    def _ensure_in_term(self, field: str, on: date, today: date) -> date:
        on = require_date(field, on)
        if on > today:
            raise DateNotAllowed(f"The date {on} is in the future; only past facts are recorded.")
        if on < self.term_start:
            raise DateNotAllowed(f"The date {on} is before the term started ({self.term_start}).")
        if on > self.term_end:
            raise DateNotAllowed(f"The date {on} is after the term ended ({self.term_end}).")
        return on

    def _ensure_active(self, doing: str) -> None:
        if not self.active:
            raise PostingEnded(
                f"The posting ended on {self.ended_on}; nothing more is {doing} on it."
            )

    @property
    def latest_record_on(self) -> date | None:
        """The latest visit or guidance date, or None before any."""
        dates = [d for d in (self.latest_visit_on, self.latest_guidance_on) if d is not None]
        return max(dates) if dates else None

    # -- problems (急难愁盼) ----------------------------------------------------------------
    # Each is an EnterpriseRequest; the posting keeps the ids of the open ones, changed in
    # the same append as the request, so ending sees every open problem.

    def log_problem(
        self,
        category: RequestCategory,
        description: str,
        today: date,
        received_on: date | None = None,
        calendars: CalendarLookup = weekends_only,
    ) -> EnterpriseRequest:
        """A problem of the enterprise, received on ``received_on`` (default today; never in
        the future, nor before the term started), due the category's working days later on
        ``calendars`` exactly as a project's request; its id is kept here. Raises
        PostingEnded, DateNotAllowed (also after the term's end, as a visit), InvalidValue."""
        self._ensure_active("logged")
        received_on = self._ensure_in_term(
            "receivedOn", today if received_on is None else received_on, today
        )
        return EnterpriseRequest.raise_on(
            self, RequestSource.POSTING, category, description, received_on, calendars
        )

    @property
    def open_request_ids(self) -> list[UUID]:
        """The problems logged here and not solved (OPEN or REFERRED)."""
        # Snapshots taken before postings kept problems have no `_open_ids`.
        return list(self.__dict__.get("_open_ids", []))

    def ensure_takes_requests(self) -> None:
        """An ended posting's problems are settled as they are. Raises PostingEnded."""
        self._ensure_active("changed")

    def open_request(self, request_id: UUID) -> None:
        """Keep the id of a new problem, or of one a low rating reopened (a redo). An ended
        posting takes neither, as a closed project. Raises PostingEnded."""
        self._ensure_active("logged or reopened")
        if request_id not in self.open_request_ids:
            count = len(self.open_request_ids) + 1
            self._open_request(request_id=request_id, open_count=count)

    # `open_count` is the number of open problems after the change, stored as is by the
    # read model (never counted there); None in events recorded before it was kept.
    @event("ProblemOpened")
    def _open_request(self, request_id: UUID, open_count: int | None = None) -> None:
        self._open_ids = [*self.open_request_ids, request_id]

    def settle_request(self, request_id: UUID) -> None:
        """Forget the id of a solved problem; an id it does not keep changes nothing (no
        event). Raises PostingEnded (an ended posting has no open problem to settle)."""
        self._ensure_active("solved")
        if request_id in self.open_request_ids:
            count = len(self.open_request_ids) - 1
            self._settle_request(request_id=request_id, open_count=count)

    @event("ProblemSettled")
    def _settle_request(self, request_id: UUID, open_count: int | None = None) -> None:
        self._open_ids = [i for i in self.open_request_ids if i != request_id]

    # -- term --------------------------------------------------------------------------

    def extend_term(self, term_end: date, reason: str | None, by: UUID | None) -> None:
        """Move the term's end later, at most six years after the term started
        (`cso.domain.date_bounds`); `reason` (optional) and `by` (who) are recorded.
        Raises PostingEnded, TermNotAllowed, InvalidValue."""
        self._ensure_active("extended")
        term_end = require_date("termEnd", term_end)
        if term_end <= self.term_end:
            raise TermNotAllowed(
                f"An extension moves the term's end later than {self.term_end}, not to {term_end}."
            )
        ensure_not_after(
            "termEnd",
            term_end,
            years_after(self.term_start, TERM_WITH_EXTENSIONS_YEARS),
            f"with extensions, a term runs at most {TERM_WITH_EXTENSIONS_YEARS} years",
        )
        reason = optional_text("reason", reason, TEXT_MAX_LENGTH)
        self._extend_term(previous_end=self.term_end, term_end=term_end, reason=reason, by=by)

    @event("TermExtended")
    def _extend_term(
        self, previous_end: date, term_end: date, reason: str | None, by: UUID | None
    ) -> None:
        self.term_end = term_end
        self.extension_count += 1

    def end(self, on: date, today: date, officer: Officer, enterprise: Enterprise) -> None:
        """End the posting on `on` (not in the future, not before the term started nor before
        its latest record); the officer and the enterprise let go of it in the same append.
        Raises PostingEnded, DateNotAllowed, OpenProblemsRemain; ValueError when `officer` or
        `enterprise` is not the posting's (a caller's mistake)."""
        self._ensure_active("ended")
        if self.open_request_ids:
            raise OpenProblemsRemain(
                "A posting ends only when every problem logged on it is solved; "
                f"{len(self.open_request_ids)} still open."
            )
        if officer.id != self.officer_id or enterprise.id != self.enterprise_id:
            raise ValueError(f"posting {self.id} is not that officer's or enterprise's")
        on = require_date("on", on)
        if on > today:
            raise DateNotAllowed(f"The date {on} is in the future; a posting ends by today.")
        if on < self.term_start:
            raise DateNotAllowed(f"The date {on} is before the term started ({self.term_start}).")
        latest = self.latest_record_on
        if latest is not None and on < latest:
            raise DateNotAllowed(f"The date {on} is before the posting's latest record ({latest}).")
        officer.release_case(OfficerRole.FIRST_SECRETARY, self.id)
        enterprise.end_posting(self.id)
        self._end(on=on)

    @event("Ended")
    def _end(self, on: date) -> None:
        self.active = False
        self.ended_on = on


def _later(current: date | None, on: date) -> date:
    return on if current is None or on > current else current
