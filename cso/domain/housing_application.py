"""HousingApplication: one applicant's talent-housing case, from submission to move-out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from cso.domain.date_bounds import LEASE_YEARS, ensure_not_after, years_after
from cso.domain.enums import ApplicationStatus, OfficerRole, TalentTier
from cso.domain.errors import InvalidValue, RuleViolation
from cso.domain.housing_unit import HousingUnit
from cso.domain.id_number import validate_id_number
from cso.domain.officer import Officer, normalise_phone
from cso.domain.values import (
    TEXT_MAX_LENGTH,
    optional_text,
    require_date,
    require_enum,
    require_text,
)
from cso.domain.waitlist import Waitlist, waitlist_order

MAX_HOUSEHOLD = 20
_OPEN = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.APPROVED,
    ApplicationStatus.ALLOCATED,
    ApplicationStatus.MOVED_IN,
)


class ApplicationNotInStatus(RuleViolation):
    """The command needs the application in another status."""


class RejectionNeedsReason(RuleViolation):
    """An application is rejected only with a reason."""


class NoCasoAssigned(RuleViolation):
    """A CASO is assigned before the application is decided."""


class CasoAlreadyAssigned(RuleViolation):
    """The officer is already the application's CASO."""


class AllocationOutOfOrder(RuleViolation):
    """An earlier application on the waitlist also fits the unit, and no reason was given."""


class DateNotAllowed(RuleViolation):
    """A date in the future, or before the step it follows."""


def validate_household(size: int) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_HOUSEHOLD:
        raise InvalidValue("householdSize", f"A household has 1 to {MAX_HOUSEHOLD} people.")
    return size


class HousingApplication(Aggregate):
    """SUBMITTED → APPROVED or REJECTED → ALLOCATED → MOVED_IN → ENDED.

    The CASO holds the case on their Officer stream (taken and released in the same append
    as the application's event), so they cannot be deactivated or lose the CASO role while
    it is open. Allocation and move-out change the unit (and the waitlist) in the same
    append as the application.
    """

    @staticmethod
    def create_id(**_: object) -> UUID:
        """An id of its own: the applicant (`applicant_id`, the subject of their key and of
        every access to their data) is one person across all their applications. (Before
        keys were per person, an application's id was its applicant's.)"""
        return uuid4()

    @event("Submitted")
    def __init__(
        self,
        applicant_id: UUID,
        applicant_name: str,
        id_number: str,
        phone: str,
        employer_id: UUID,
        tier: TalentTier,
        household_size: int,
        submitted_on: date,
    ) -> None:
        # The applicant's name, ID number and phone are sealed under the person's key
        # (DESIGN §6): the aggregate, its events and snapshots hold only ciphertext.
        self.applicant_id = applicant_id
        self.applicant_name = applicant_name
        self.id_number = id_number
        self.phone = phone
        self.employer_id = employer_id
        self.tier = tier
        self.household_size = household_size
        self.submitted_on = submitted_on
        self.status = ApplicationStatus.SUBMITTED
        self.caso_id: UUID | None = None
        self.waitlist_number: int | None = None
        self.unit_id: UUID | None = None
        self.allocated_on: date | None = None
        # The allocation as recorded (bounded: set once, from the waitlist of that moment).
        self.allocation_position: int | None = None
        self.passed_over: list[dict[str, object]] = []
        self.allocation_reason: str | None = None
        self.lease_end: date | None = None
        self.moved_in_on: date | None = None
        self.ended_on: date | None = None
        self.renewals = 0
        self.erased = False

    @classmethod
    def apply(
        cls,
        applicant_id: UUID,
        seal: Callable[[str], str],
        applicant_name: str,
        id_number: str,
        phone: str,
        employer_id: UUID,
        tier: TalentTier,
        household_size: int,
        today: date,
    ) -> HousingApplication:
        """`seal` encrypts a value under the person's key (`applicant_id`, their subject); the
        fields are checked in plain text, then sealed. Raises InvalidValue: a bad ID number
        (GB 11643), phone, tier or household size."""
        name = require_text("applicantName", applicant_name)
        checked_id = validate_id_number(id_number, today)
        checked_phone = normalise_phone(phone)
        tier = require_enum("tier", tier, TalentTier)
        household_size = validate_household(household_size)
        return cls(
            applicant_id=applicant_id,
            applicant_name=seal(name),
            id_number=seal(checked_id),
            phone=seal(checked_phone),
            employer_id=employer_id,
            tier=tier,
            household_size=household_size,
            submitted_on=today,
        )

    @property
    def is_open(self) -> bool:
        return self.status in _OPEN

    def _ensure_status(self, doing: str, *allowed: ApplicationStatus) -> None:
        if self.status not in allowed:
            wanted = " or ".join(s.value for s in allowed)
            raise ApplicationNotInStatus(
                f"The application is {self.status.value}; {doing} needs it {wanted}."
            )

    def _ensure_caso(self, doing: str) -> None:
        if self.caso_id is None:
            raise NoCasoAssigned(f"A CASO is assigned before {doing}.")

    def erase_personal_data(self) -> None:
        """Recorded when the applicant's key is destroyed; erasing again changes nothing."""
        if not self.erased:
            self._erase_personal_data(applicant_id=self.applicant_id)

    @event("PersonalDataErased")
    def _erase_personal_data(self, applicant_id: UUID) -> None:
        self.erased = True

    # -- CASO ---------------------------------------------------------------

    def assign_caso(self, officer: Officer, previous: Officer | None) -> None:
        """Assign or replace the CASO; `previous` is the current CASO's Officer (None when
        there is none) and releases the case in the same append. Raises ValueError when it
        is not the current CASO (a caller's mistake)."""
        if not self.is_open:
            raise ApplicationNotInStatus(
                f"The application is {self.status.value}; a closed case takes no CASO."
            )
        given = None if previous is None else previous.id
        if given != self.caso_id:
            raise ValueError(f"the application's CASO is {self.caso_id}, not {given}")
        if officer.id == self.caso_id:
            raise CasoAlreadyAssigned(f"{officer.name} is already this application's CASO.")
        officer.take_case(OfficerRole.CASO, self.id)
        if previous is not None:
            previous.release_case(OfficerRole.CASO, self.id)
        self._assign_caso(officer_id=officer.id)

    @event("CasoAssigned")
    def _assign_caso(self, officer_id: UUID) -> None:
        self.caso_id = officer_id

    # -- decision -----------------------------------------------------------

    def approve(self, waitlist: Waitlist) -> None:
        """Approval puts the application on the waitlist, in the same append."""
        self._ensure_status("approval", ApplicationStatus.SUBMITTED)
        self._ensure_caso("approval")
        number = waitlist.enter(self.id, self.tier, self.household_size)
        self._approve(waitlist_number=number, waitlist_order=waitlist_order(self.tier, number))

    @event("Approved")
    def _approve(self, waitlist_number: int, waitlist_order: int) -> None:
        self.status = ApplicationStatus.APPROVED
        self.waitlist_number = waitlist_number

    def reject(self, reason: str | None, caso: Officer | None) -> None:
        """Needs a reason; the case ends, and `caso` (the current CASO's Officer) lets go."""
        self._ensure_status("rejection", ApplicationStatus.SUBMITTED)
        self._ensure_caso("rejection")
        reason = optional_text("reason", reason, TEXT_MAX_LENGTH)
        if reason is None:
            raise RejectionNeedsReason("An application is rejected only with a reason.")
        self._release(caso)
        self._reject(reason=reason)

    @event("Rejected")
    def _reject(self, reason: str) -> None:
        self.status = ApplicationStatus.REJECTED

    def _release(self, caso: Officer | None) -> None:
        if caso is None or caso.id != self.caso_id:
            raise ValueError(f"the application's CASO is {self.caso_id}")
        caso.release_case(OfficerRole.CASO, self.id)

    # -- allocation and tenancy ----------------------------------------------

    def allocate(
        self,
        unit: HousingUnit,
        waitlist: Waitlist,
        lease_end: date,
        today: date,
        reason: str | None,
    ) -> None:
        """Allocate `unit`, changing the unit and the waitlist in the same append.

        Raises AllocationOutOfOrder when an application ahead on the waitlist also fits the
        unit and no `reason` is given; with one, the event records the application's
        position and those passed over. Raises UnitDoesNotFit, UnitNotAvailable; InvalidValue
        for a lease ending more than five years after today (`cso.domain.date_bounds`).
        """
        self._ensure_status("allocation", ApplicationStatus.APPROVED)
        lease_end = require_date("leaseEnd", lease_end)
        if lease_end <= today:
            raise DateNotAllowed(f"The lease must end after today ({today}), not on {lease_end}.")
        ensure_not_after(
            "leaseEnd",
            lease_end,
            years_after(today, LEASE_YEARS),
            f"a lease runs at most {LEASE_YEARS} years",
        )
        unit.ensure_fits(self.household_size)
        reason = optional_text("reason", reason, TEXT_MAX_LENGTH)
        standing = waitlist.standing(self.id, unit.fits)
        if standing.passed_over and reason is None:
            ahead = ", ".join(
                f"{p['id']} (tier {p['tier'].value}, position "  # type: ignore[attr-defined]
                f"{p['waitlist_position']})"
                for p in standing.passed_over
            )
            raise AllocationOutOfOrder(
                f"Applications ahead on the waitlist also fit unit {unit.label}: {ahead}; "
                "allocating past them needs a reason."
            )
        unit.allocate(self.id)
        waitlist.leave(self.id)
        self._allocate(
            unit_id=unit.id,
            on=today,
            lease_end=lease_end,
            waitlist_position=standing.position,
            passed_over=standing.passed_over,
            reason=reason,
        )

    @event("UnitAllocated")
    def _allocate(
        self,
        unit_id: UUID,
        on: date,
        lease_end: date,
        waitlist_position: int,
        passed_over: list[dict[str, object]],
        reason: str | None,
    ) -> None:
        self.status = ApplicationStatus.ALLOCATED
        self.unit_id = unit_id
        self.allocated_on = on
        self.lease_end = lease_end
        self.allocation_position = waitlist_position
        self.passed_over = list(passed_over)
        self.allocation_reason = reason

    def move_in(self, unit: HousingUnit, on: date, today: date) -> None:
        """The unit becomes OCCUPIED in the same append."""
        self._ensure_status("moving in", ApplicationStatus.ALLOCATED)
        on = self._ensure_past_fact("on", on, today, self.allocated_on, "the allocation")
        unit.occupy(self.id)
        self._move_in(on=on)

    @event("MovedIn")
    def _move_in(self, on: date) -> None:
        self.status = ApplicationStatus.MOVED_IN
        self.moved_in_on = on

    def move_out(self, unit: HousingUnit, on: date, today: date, caso: Officer | None) -> None:
        """The unit is AVAILABLE again and the case ends, in the same append: `caso` (the
        current CASO's Officer) lets go of it."""
        self._ensure_status("moving out", ApplicationStatus.MOVED_IN)
        on = self._ensure_past_fact("on", on, today, self.moved_in_on, "the move-in")
        unit.vacate(self.id)
        if self.caso_id is not None:
            self._release(caso)
        self._move_out(on=on)

    @event("MovedOut")
    def _move_out(self, on: date) -> None:
        self.status = ApplicationStatus.ENDED
        self.ended_on = on

    def renew_lease(self, lease_end: date) -> None:
        """A renewal moves the lease end later, at most five years past its current end
        (`cso.domain.date_bounds`). Raises DateNotAllowed, InvalidValue."""
        self._ensure_status(
            "renewing the lease", ApplicationStatus.ALLOCATED, ApplicationStatus.MOVED_IN
        )
        lease_end = require_date("leaseEnd", lease_end)
        if self.lease_end is not None and lease_end <= self.lease_end:
            raise DateNotAllowed(
                f"A renewal moves the lease end later than {self.lease_end}, not to {lease_end}."
            )
        if self.lease_end is not None:
            ensure_not_after(
                "leaseEnd",
                lease_end,
                years_after(self.lease_end, LEASE_YEARS),
                f"a renewal runs at most {LEASE_YEARS} years past the lease's end",
            )
        self._renew_lease(lease_end=lease_end)

    @event("LeaseRenewed")
    def _renew_lease(self, lease_end: date) -> None:
        self.lease_end = lease_end
        self.renewals += 1

    def _ensure_past_fact(
        self, field: str, on: date, today: date, after: date | None, step: str
    ) -> date:
        on = require_date(field, on)
        if on > today:
            raise DateNotAllowed(f"The date {on} is in the future; only past facts are recorded.")
        if after is not None and on < after:
            raise DateNotAllowed(f"The date {on} is before {step} ({after}).")
        return on
