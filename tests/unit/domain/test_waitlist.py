from __future__ import annotations

import json
import pickle
from uuid import UUID, uuid4

import pytest

from cso.domain.enums import DOMAIN_ENUMS, TalentTier
from cso.domain.waitlist import NotOnWaitlist, Waitlist
from cso.eventstore import Codec


def filled(entries: list[tuple[TalentTier, int]]) -> tuple[Waitlist, list[UUID]]:
    waitlist, ids = Waitlist(), []
    for tier, household in entries:
        ids.append(uuid4())
        waitlist.enter(ids[-1], tier, household)
    return waitlist, ids


def test_the_waitlist_orders_by_tier_then_approval_and_gives_positions() -> None:
    waitlist, (c1, a1, b1, a2) = filled(
        [(TalentTier.C, 1), (TalentTier.A, 2), (TalentTier.B, 3), (TalentTier.A, 4)]
    )
    assert waitlist.ordered() == [a1, a2, b1, c1]
    assert [waitlist.position(i) for i in (a1, a2, b1, c1)] == [1, 2, 3, 4]
    assert waitlist.position(uuid4()) is None and waitlist.size == 4


def test_standing_lists_only_the_fitting_applications_ahead_with_their_positions() -> None:
    waitlist, (c1, a1, _too_big, a2) = filled(
        [(TalentTier.C, 1), (TalentTier.A, 2), (TalentTier.B, 5), (TalentTier.A, 4)]
    )
    standing = waitlist.standing(c1, lambda household: household <= 4)
    assert standing.position == 4
    assert standing.passed_over == [
        {"id": a1, "tier": TalentTier.A, "waitlist_position": 1},
        {"id": a2, "tier": TalentTier.A, "waitlist_position": 2},
    ]
    assert waitlist.standing(a1, lambda _: True).passed_over == []


def test_leaving_closes_the_gap_and_a_second_leave_is_refused() -> None:
    waitlist, (a1, a2, a3) = filled([(TalentTier.A, 1), (TalentTier.A, 2), (TalentTier.A, 3)])
    waitlist.leave(a2)
    assert waitlist.ordered() == [a1, a3] and waitlist.position(a3) == 2
    assert waitlist.standing(a3, lambda _: True).passed_over[0]["id"] == a1
    with pytest.raises(NotOnWaitlist):
        waitlist.leave(a2)


def test_a_long_waitlist_pickles_compactly_for_the_repository_cache() -> None:
    waitlist, _ = filled([(list(TalentTier)[i % 4], i % 5 + 1) for i in range(5000)])
    waitlist.collect_events()  # as the repository holds it: saved
    # About 34 bytes an entry (32 of hex id, 2 of household), not an object per entry.
    assert len(pickle.dumps(waitlist, pickle.HIGHEST_PROTOCOL)) < 40 * 5000


def test_a_snapshot_of_the_first_shape_is_upcast_to_the_per_tier_shape() -> None:
    codec = Codec(DOMAIN_ENUMS)
    waitlist, (b1, a1) = filled([(TalentTier.B, 3), (TalentTier.A, 2)])
    snap = codec.encode_snapshot(waitlist)
    old = json.loads(snap.data)
    state = old["state"]
    for name in ("_ids", "_households", "class_version"):
        del state[name]
    state["_entries"] = [[a1.hex, 0, 2, 2], [b1.hex, 1, 1, 3]]
    restored = codec.decode_snapshot(waitlist.id, waitlist.version, snap.type, json.dumps(old))
    assert isinstance(restored, Waitlist) and restored.ordered() == [a1, b1]
    assert restored.standing(b1, lambda household: household <= 2).passed_over[0]["id"] == a1
