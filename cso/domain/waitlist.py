"""The housing waitlist: approved, unallocated applications, by tier (A first), then by
approval order.

One aggregate for the whole district, appended with every approval and allocation: the
position an allocation records, and the applications it passes over, are then decided on
the same state every other allocation sees (a concurrent approval or allocation conflicts
and re-runs), never on a read model that may lag behind the log.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from cso.domain.enums import TalentTier

# The waitlist's stream id: one per district store.
WAITLIST_ID = uuid5(UUID("6f1c2f0e-54a1-4d55-9b8e-3c0b8c1f7a10"), "housing-waitlist")
_ORDER_SPAN = 10**12  # more approvals than the district will ever make
_TIERS = list(TalentTier)
_TIER_RANK = {tier: rank for rank, tier in enumerate(TalentTier)}


@dataclass(frozen=True, slots=True)
class Standing:
    """Where an application stands: its 1-based `position`, and the applications ahead of
    it that also fit the unit in question (`passed_over`: dicts of id, tier,
    waitlist_position, as the allocation event records them)."""

    position: int
    passed_over: list[dict[str, object]]


def waitlist_key(tier: TalentTier, number: int) -> tuple[int, int]:
    """The order of the waitlist: tier (A first), then the approval's number."""
    return (_TIER_RANK[tier], number)


def waitlist_order(tier: TalentTier, number: int) -> int:
    """`waitlist_key` as one integer, for read models to store and compare."""
    return _TIER_RANK[tier] * _ORDER_SPAN + number


class NotOnWaitlist(LookupError):
    """A caller's mistake: the application is not waiting."""


class Waitlist(Aggregate):
    """Entries are the open ids with what the order and the fit need: tier, approval
    number, household size. Nothing of an entry remains once it is allocated."""

    @staticmethod
    def create_id(*_: object, **__: object) -> UUID:
        return WAITLIST_ID

    @event("Opened")
    def __init__(self) -> None:
        self.approvals = 0
        # [id hex, tier rank, approval number, household size], in the waitlist's order:
        # plain values, because the repository copies the aggregate on every load and save.
        self._entries: list[list[Any]] = []

    def enter(self, application_id: UUID, tier: TalentTier, household_size: int) -> int:
        """Put an approved application on the list; returns its approval number."""
        self._enter(
            application_id=application_id,
            tier=tier,
            household_size=household_size,
            number=self.approvals + 1,
        )
        return self.approvals

    @event("Entered")
    def _enter(
        self, application_id: UUID, tier: TalentTier, household_size: int, number: int
    ) -> None:
        self.approvals = number
        entry = [application_id.hex, _TIER_RANK[tier], number, household_size]
        insort(self._entries, entry, key=_entry_key)

    def leave(self, application_id: UUID) -> None:
        """Take an allocated application off the list."""
        self._index(application_id)
        self._leave(application_id=application_id)

    @event("Left")
    def _leave(self, application_id: UUID) -> None:
        del self._entries[self._index(application_id)]

    @property
    def size(self) -> int:
        """How many applications wait (no `__len__`: an empty aggregate must stay truthy)."""
        return len(self._entries)

    def ordered(self) -> list[UUID]:
        """The waiting applications' ids, first first."""
        return [UUID(e[0]) for e in self._entries]

    def standing(self, application_id: UUID, fits: Callable[[int], bool]) -> Standing:
        """The application's position, and those ahead of it whose household `fits`.
        Raises NotOnWaitlist."""
        index = self._index(application_id)
        passed: list[dict[str, object]] = [
            {"id": UUID(e[0]), "tier": _TIERS[e[1]], "waitlist_position": i + 1}
            for i, e in enumerate(self._entries[:index])
            if fits(e[3])
        ]
        return Standing(position=index + 1, passed_over=passed)

    def _index(self, application_id: UUID) -> int:
        wanted = application_id.hex
        for i, entry in enumerate(self._entries):
            if entry[0] == wanted:
                return i
        raise NotOnWaitlist(f"application {application_id} is not on the waitlist")


def _entry_key(entry: list[Any]) -> tuple[int, int]:
    return (entry[1], entry[2])
