"""HousingUnit: one talent apartment, and who it is allocated to."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from cso.domain.enums import UnitStatus
from cso.domain.errors import InvalidValue, RuleViolation
from cso.domain.values import TEXT_MAX_LENGTH, in_cents, require_text

MAX_ROOMS = 10
UNIT_NO_MAX_LENGTH = 20
_AMOUNT_LIMIT = Decimal(10) ** 8


class UnitNotAvailable(RuleViolation):
    """Only an available unit can be allocated or taken into maintenance."""


class UnitNotHeldBy(RuleViolation):
    """The unit is not allocated to (or occupied by) the application named."""


class UnitDoesNotFit(RuleViolation):
    """A unit fits a household of n people when n ≤ 2 × rooms."""


def capacity(rooms: int) -> int:
    """The largest household a unit of `rooms` rooms fits (two people a room)."""
    return 2 * rooms


def fits(rooms: int, household_size: int) -> bool:
    """Whether a unit of `rooms` rooms fits a household of `household_size` people."""
    return household_size <= capacity(rooms)


def _amount(field: str, value: Decimal | int, *, positive: bool) -> Decimal:
    """``value`` as an amount kept with 2 places (a rent of "-0" is "0.00", never "-0.00").
    Raises InvalidValue(field): not a finite decimal, negative (or zero when ``positive``),
    too large, or more than 2 decimal places."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidValue(field, f"The {field} must be a decimal amount.")
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0 or (positive and amount == 0):
        raise InvalidValue(
            field, f"The {field} must be a {'positive' if positive else 'non-negative'} amount."
        )
    if amount >= _AMOUNT_LIMIT:
        raise InvalidValue(field, f"The {field} is too large.")
    return in_cents(
        field,
        amount,
        too_large=f"The {field} is too large.",
        places=f"The {field} has at most 2 decimal places.",
    )


class HousingUnit(Aggregate):
    """AVAILABLE → ALLOCATED → OCCUPIED → AVAILABLE, or MAINTENANCE (from and back to
    AVAILABLE). The unit number's uniqueness in its building is the store's reservation."""

    @event("Listed")
    def __init__(
        self,
        building: str,
        unit_no: str,
        rooms: int,
        area_sqm: Decimal,
        monthly_rent: Decimal,
    ) -> None:
        self.building = building
        self.unit_no = unit_no
        self.rooms = rooms
        self.area_sqm = area_sqm
        self.monthly_rent = monthly_rent
        self.status = UnitStatus.AVAILABLE
        self.application_id: UUID | None = None

    @classmethod
    def list_unit(
        cls,
        building: str,
        unit_no: str,
        rooms: int,
        area_sqm: Decimal | int,
        monthly_rent: Decimal | int,
    ) -> HousingUnit:
        """Raises InvalidValue (rooms 1–10, area positive, rent non-negative, 2 places)."""
        if isinstance(rooms, bool) or not isinstance(rooms, int) or not 1 <= rooms <= MAX_ROOMS:
            raise InvalidValue("rooms", f"A unit has 1 to {MAX_ROOMS} rooms.")
        return cls(
            building=require_text("building", building),
            unit_no=require_text("unitNo", unit_no, UNIT_NO_MAX_LENGTH),
            rooms=rooms,
            area_sqm=_amount("areaSqm", area_sqm, positive=True),
            monthly_rent=_amount("monthlyRent", monthly_rent, positive=False),
        )

    @property
    def number_key(self) -> str:
        """What the per-building reservation of unit numbers keeps unique."""
        return f"{self.building.casefold()}/{self.unit_no.casefold()}"

    @property
    def label(self) -> str:
        return f"{self.building} {self.unit_no}"

    def fits(self, household_size: int) -> bool:
        return fits(self.rooms, household_size)

    def ensure_fits(self, household_size: int) -> None:
        if not self.fits(household_size):
            raise UnitDoesNotFit(
                f"Unit {self.label} has {self.rooms} rooms and fits at most "
                f"{2 * self.rooms} people, not a household of {household_size}."
            )

    def allocate(self, application_id: UUID) -> None:
        """Called by the application's allocation, in the same append."""
        if self.status is not UnitStatus.AVAILABLE:
            raise UnitNotAvailable(
                f"Unit {self.label} is {self.status.value}; only an AVAILABLE unit is allocated."
            )
        self._allocate(application_id=application_id)

    @event("Allocated")
    def _allocate(self, application_id: UUID) -> None:
        self.status = UnitStatus.ALLOCATED
        self.application_id = application_id

    def occupy(self, application_id: UUID) -> None:
        self._ensure_held_by(application_id, UnitStatus.ALLOCATED)
        self._occupy(application_id=application_id)

    @event("Occupied")
    def _occupy(self, application_id: UUID) -> None:
        self.status = UnitStatus.OCCUPIED

    def vacate(self, application_id: UUID) -> None:
        self._ensure_held_by(application_id, UnitStatus.OCCUPIED)
        self._vacate(application_id=application_id)

    @event("Vacated")
    def _vacate(self, application_id: UUID) -> None:
        self.status = UnitStatus.AVAILABLE
        self.application_id = None

    def _ensure_held_by(self, application_id: UUID, status: UnitStatus) -> None:
        if self.application_id != application_id or self.status is not status:
            raise UnitNotHeldBy(
                f"Unit {self.label} is not {status.value} by application {application_id}."
            )

    def start_maintenance(self, reason: str | None) -> None:
        """An AVAILABLE unit goes into maintenance (MAINTENANCE: allocated to nobody) for
        ``reason`` (required, kept in the event). Raises InvalidValue, UnitNotAvailable."""
        reason = require_text("reason", reason or "", TEXT_MAX_LENGTH)
        if self.status is not UnitStatus.AVAILABLE:
            raise UnitNotAvailable(
                f"Unit {self.label} is {self.status.value}; only an AVAILABLE unit goes "
                "into maintenance."
            )
        self._start_maintenance(reason=reason)

    @event("MaintenanceStarted")
    def _start_maintenance(self, reason: str | None = None) -> None:
        self.status = UnitStatus.MAINTENANCE

    def end_maintenance(self) -> None:
        """The unit is AVAILABLE again. Raises UnitNotAvailable when not in maintenance."""
        if self.status is not UnitStatus.MAINTENANCE:
            raise UnitNotAvailable(f"Unit {self.label} is not in maintenance.")
        self._end_maintenance()

    @event("MaintenanceEnded")
    def _end_maintenance(self) -> None:
        self.status = UnitStatus.AVAILABLE
