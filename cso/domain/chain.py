"""IndustryChain: a named industrial chain under the chain-leader system (链长制)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from cso.domain.errors import RuleViolation
from cso.domain.values import require_text


class AlreadyChainMaster(RuleViolation):
    """An enterprise is designated chain master of a chain only once."""


class IndustryChain(Aggregate):
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

    def designate_master(self, enterprise_id: UUID) -> None:
        if enterprise_id in self._master_ids:
            raise AlreadyChainMaster(
                f"Enterprise {enterprise_id} is already a chain master of {self.name}."
            )
        self._designate_master(enterprise_id=enterprise_id)

    @event("MasterDesignated")
    def _designate_master(self, enterprise_id: UUID) -> None:
        self._master_ids.append(enterprise_id)
