"""Every enumeration the domain records.

Plain ``enum.Enum`` with values equal to the names: a ``str`` mixin would be
written by the JSON codec as a bare string and read back as ``str``.
"""

from __future__ import annotations

from enum import Enum


class OfficerRole(Enum):
    CSO = "CSO"
    CASO = "CASO"
    FIRST_SECRETARY = "FIRST_SECRETARY"


class PartyOrganizationKind(Enum):
    NONE = "NONE"
    BRANCH = "BRANCH"
    GENERAL_BRANCH = "GENERAL_BRANCH"
    COMMITTEE = "COMMITTEE"


class Milestone(Enum):
    """A project's milestones, in the only order they may be reached."""

    SIGNED = "SIGNED"
    SITE_SELECTED = "SITE_SELECTED"
    LAND_DELIVERED = "LAND_DELIVERED"
    CONSTRUCTION_STARTED = "CONSTRUCTION_STARTED"
    COMPLETED = "COMPLETED"
    OPERATING = "OPERATING"

    @property
    def rank(self) -> int:
        return list(Milestone).index(self)

    @property
    def next(self) -> Milestone | None:
        members = list(Milestone)
        position = members.index(self) + 1
        return members[position] if position < len(members) else None


class ProjectStage(Enum):
    SIGNED = "SIGNED"
    SITE_SELECTED = "SITE_SELECTED"
    LAND_DELIVERED = "LAND_DELIVERED"
    CONSTRUCTION_STARTED = "CONSTRUCTION_STARTED"
    COMPLETED = "COMPLETED"
    OPERATING = "OPERATING"
    CLOSED = "CLOSED"

    @classmethod
    def of(cls, milestone: Milestone) -> ProjectStage:
        return cls[milestone.name]


class ServiceKind(Enum):
    VISIT = "VISIT"
    CONSULTATION = "CONSULTATION"
    TUTORING = "TUTORING"
    PROCEDURE_AGENCY = "PROCEDURE_AGENCY"
    COORDINATION = "COORDINATION"


class ServiceItemStatus(Enum):
    PLANNED = "PLANNED"
    COMPLETED = "COMPLETED"


class RequestCategory(Enum):
    PERMIT = "PERMIT"
    LAND = "LAND"
    POLICY = "POLICY"
    TALENT = "TALENT"
    FINANCING = "FINANCING"
    OTHER = "OTHER"

    @property
    def days_to_answer(self) -> int:
        """Service-level working days, counted from the day after the day received."""
        return _DAYS_TO_ANSWER[self]


_DAYS_TO_ANSWER = {
    RequestCategory.PERMIT: 5,
    RequestCategory.LAND: 10,
    RequestCategory.POLICY: 5,
    RequestCategory.TALENT: 10,
    RequestCategory.FINANCING: 10,
    RequestCategory.OTHER: 10,
}


class RequestStatus(Enum):
    OPEN = "OPEN"
    REFERRED = "REFERRED"
    RESOLVED = "RESOLVED"


class ProjectOutcome(Enum):
    OPERATING = "OPERATING"
    CANCELLED = "CANCELLED"
    RELOCATED = "RELOCATED"


class TalentTier(Enum):
    """A (杰出) comes first on the housing waitlist, D (骨干) last."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class UnitStatus(Enum):
    AVAILABLE = "AVAILABLE"
    ALLOCATED = "ALLOCATED"
    OCCUPIED = "OCCUPIED"
    MAINTENANCE = "MAINTENANCE"


class ApplicationStatus(Enum):
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    ALLOCATED = "ALLOCATED"
    MOVED_IN = "MOVED_IN"
    ENDED = "ENDED"


class CalendarSource(Enum):
    """Where a year's holidays and make-up days came from, most authoritative first."""

    OFFICIAL = "OFFICIAL"
    LIBRARY = "LIBRARY"
    WEEKENDS_ONLY = "WEEKENDS_ONLY"


class RequestSource(Enum):
    """Where a request was raised: on a project (by its CSO) or a posting (its secretary)."""

    PROJECT = "PROJECT"
    POSTING = "POSTING"


# The codec registers one transcoding per entry: an enum missing here cannot
# be stored.
DOMAIN_ENUMS: tuple[type[Enum], ...] = (
    OfficerRole,
    PartyOrganizationKind,
    Milestone,
    ProjectStage,
    ServiceKind,
    ServiceItemStatus,
    RequestCategory,
    RequestStatus,
    ProjectOutcome,
    TalentTier,
    UnitStatus,
    ApplicationStatus,
    CalendarSource,
    RequestSource,
)
