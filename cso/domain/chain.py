"""IndustryChain: a named industrial chain under the chain-leader system (链长制)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from cso.domain.errors import RuleViolation
from cso.domain.values import require_text


@dataclass(frozen=True, slots=True)
class Coverage:
    """The two coverages (两个覆盖) among a set of enterprises (a chain's, the district's):
    how many there are, how many are organisation- and work-covered, and the rates (0 to 1;
    None when there are no enterprises)."""

    enterprises: int
    organisation_covered: int
    work_covered: int
    organisation_rate: float | None
    work_rate: float | None


def coverage(enterprises: int, organisation_covered: int, work_covered: int) -> Coverage:
    """The coverages of `enterprises` enterprises of which so many are covered (each
    enterprise's flags are its own decision: `enterprise.organisation_coverage`,
    `enterprise.work_coverage`)."""
    return Coverage(
        enterprises=enterprises,
        organisation_covered=organisation_covered,
        work_covered=work_covered,
        organisation_rate=_rate(organisation_covered, enterprises),
        work_rate=_rate(work_covered, enterprises),
    )


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class AlreadyChainMaster(RuleViolation):
    """An enterprise is designated chain master of a chain only once."""


class IndustryChain(Aggregate):
    class MasterDesignated(Aggregate.Event):
        """An enterprise made chain master (链主), and since which district day.

        v2 added `designated_on`. v1 events (before it) carry only the enterprise: they are
        upcast with `designated_on` None — the day was not recorded then — and keep their
        stored shape, hash and topic.
        """

        class_version = 2
        enterprise_id: UUID
        designated_on: date | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["designated_on"] = None

    @event("Established")
    def __init__(self, name: str, leader: str, lead_department: str) -> None:
        self.name = name
        self.leader = leader
        self.lead_department = lead_department
        self._master_ids: list[UUID] = []

    @classmethod
    def establish(cls, name: str, leader: str, lead_department: str) -> IndustryChain:
        # Name uniqueness across chains is kept by the store's reservation table.
        return cls(
            name=require_text("name", name),
            leader=require_text("leader", leader),
            lead_department=require_text("leadDepartment", lead_department),
        )

    @property
    def master_ids(self) -> list[UUID]:
        """Chain-master enterprises (链主), in the order designated."""
        return list(self._master_ids)

    def is_master(self, enterprise_id: UUID) -> bool:
        return enterprise_id in self._master_ids

    def designate_master(self, enterprise_id: UUID, on: date | None = None) -> None:
        """Make the enterprise a chain master from the district day `on` (the use case's
        today). Raises AlreadyChainMaster."""
        if enterprise_id in self._master_ids:
            raise AlreadyChainMaster(
                f"Enterprise {enterprise_id} is already a chain master of {self.name}."
            )
        self._designate_master(enterprise_id=enterprise_id, designated_on=on)

    @event(MasterDesignated)
    def _designate_master(self, enterprise_id: UUID, designated_on: date | None) -> None:
        self._master_ids.append(enterprise_id)
