"""The housing waitlist: approved, unallocated applications, by tier (A first), then by
approval order.

One aggregate for the whole district, appended with every approval and allocation: the
position an allocation records, and the applications it passes over, are then decided on
the same state every other allocation sees (a concurrent approval or allocation conflicts
and re-runs), never on a read model that may lag behind the log.
"""

from __future__ import annotations

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
_HEX = 32  # characters of a UUID's hex


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
    """Per tier, in approval order (approvals only ever append, so each tier stays
    sorted): the waiting ids as one string of 32-character hex ids, and a list of their
    household sizes. Strings and int lists because the repository copies the aggregate on
    every load and save and snapshots it: at 20,000 waiting that copy is about a
    millisecond, where a list of per-entry objects took 17 ms. Nothing of an entry remains
    once it is allocated."""

    # v2: per-tier strings of ids and household lists, in place of one list of entries.
    class_version = 2
    # Snapshots of the whole list (about 0.7 MB at 20,000 waiting) every 500 events, not
    # every 100: a cold load replays at most 499 small events (about 10 ms) instead.
    snapshot_interval = 500

    @staticmethod
    def create_id(*_: object, **__: object) -> UUID:
        return WAITLIST_ID

    @event("Opened")
    def __init__(self) -> None:
        self.approvals = 0
        self._ids: list[str] = ["" for _ in _TIERS]
        self._households: list[list[int]] = [[] for _ in _TIERS]

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Snapshots of v1 held `_entries`: [id hex, tier rank, number, household], ordered."""
        entries = state.pop("_entries")
        state["_ids"] = ["".join(e[0] for e in entries if e[1] == r) for r in range(len(_TIERS))]
        state["_households"] = [[e[3] for e in entries if e[1] == r] for r in range(len(_TIERS))]

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
        rank = _TIER_RANK[tier]
        self._ids[rank] += application_id.hex
        self._households[rank].append(household_size)

    def leave(self, application_id: UUID) -> None:
        """Take an allocated application off the list. Raises NotOnWaitlist."""
        self._find(application_id)
        self._leave(application_id=application_id)

    @event("Left")
    def _leave(self, application_id: UUID) -> None:
        rank, index = self._find(application_id)
        ids = self._ids[rank]
        self._ids[rank] = ids[: index * _HEX] + ids[(index + 1) * _HEX :]
        del self._households[rank][index]

    @property
    def size(self) -> int:
        """How many applications wait (no `__len__`: an empty aggregate must stay truthy)."""
        return sum(len(households) for households in self._households)

    def ordered(self) -> list[UUID]:
        """The waiting applications' ids, first first."""
        return [UUID(ids[i : i + _HEX]) for ids in self._ids for i in range(0, len(ids), _HEX)]

    def position(self, application_id: UUID) -> int | None:
        """The application's 1-based position, or None when it is not waiting."""
        try:
            rank, index = self._find(application_id)
        except NotOnWaitlist:
            return None
        return sum(len(h) for h in self._households[:rank]) + index + 1

    def standing(self, application_id: UUID, fits: Callable[[int], bool]) -> Standing:
        """The application's position, and those ahead of it whose household `fits`.
        Raises NotOnWaitlist."""
        rank, index = self._find(application_id)
        passed: list[dict[str, object]] = []
        position = 0
        for tier_rank, (ids, households) in enumerate(
            zip(self._ids, self._households, strict=True)
        ):
            ahead = households if tier_rank < rank else households[:index]
            for i, household in enumerate(ahead):
                if fits(household):
                    passed.append(
                        {
                            "id": UUID(ids[i * _HEX : (i + 1) * _HEX]),
                            "tier": _TIERS[tier_rank],
                            "waitlist_position": position + i + 1,
                        }
                    )
            position += len(ahead)
            if tier_rank == rank:
                break
        return Standing(position=position + 1, passed_over=passed)

    def _find(self, application_id: UUID) -> tuple[int, int]:
        """(tier rank, index within the tier). Raises NotOnWaitlist."""
        wanted = application_id.hex
        for rank, ids in enumerate(self._ids):
            at = ids.find(wanted)
            while at != -1 and at % _HEX:  # a match straddling two ids is no match
                at = ids.find(wanted, at + 1)
            if at != -1:
                return rank, at // _HEX
        raise NotOnWaitlist(f"application {application_id} is not on the waitlist")
