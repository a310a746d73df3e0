"""The demo's talent housing: buildings near the Pazhou core, applications in every state
and tier, one allocation out of the waitlist's order with its reason, one erased applicant."""

from __future__ import annotations

from cso.domain.enums import DOMAIN_ENUMS, ApplicationStatus, TalentTier, UnitStatus
from cso.domain.housing_application import HousingApplication
from cso.domain.housing_unit import HousingUnit
from cso.domain.waitlist import WAITLIST_ID, Waitlist
from cso.eventstore import Codec, EventStore, Repository
from cso.seed.housing_data import PASSED_AHEAD_REASON
from cso.services.personal_data import keys_of, unseal
from tests.integration.seed.conftest import Seeded, replay_all


async def test_the_demo_lists_a_few_hundred_units_in_several_buildings(seeded: Seeded) -> None:
    units = await replay_all(seeded.pool, HousingUnit)
    assert len(units) >= 300
    assert len({u.building for u in units}) >= 5
    statuses = {u.status for u in units}
    assert {UnitStatus.AVAILABLE, UnitStatus.ALLOCATED, UnitStatus.OCCUPIED} <= statuses


async def test_applications_stand_in_every_state_and_every_tier(seeded: Seeded) -> None:
    applications = await replay_all(seeded.pool, HousingApplication)
    assert {a.status for a in applications} == set(ApplicationStatus)
    assert {a.tier for a in applications} == set(TalentTier)
    waiting = [a for a in applications if a.status is ApplicationStatus.APPROVED]
    assert {a.tier for a in waiting} == set(TalentTier)


async def test_one_allocation_passed_earlier_applicants_with_its_reason(seeded: Seeded) -> None:
    applications = await replay_all(seeded.pool, HousingApplication)
    out_of_order = [a for a in applications if a.passed_over]
    assert len(out_of_order) == 1
    (ahead,) = out_of_order
    assert ahead.allocation_reason == PASSED_AHEAD_REASON
    waiting = {a.id for a in applications if a.status is ApplicationStatus.APPROVED}
    assert {p["id"] for p in ahead.passed_over} == waiting  # all of them fit its 3 rooms
    repository = Repository(EventStore(seeded.pool), Codec(DOMAIN_ENUMS))
    waitlist = await repository.get(WAITLIST_ID, Waitlist)
    assert waitlist.size == len(waiting)


async def test_one_applicant_is_erased_and_the_others_open(seeded: Seeded) -> None:
    applications = await replay_all(seeded.pool, HousingApplication)
    keys = await keys_of(seeded.pool, [a.applicant_id for a in applications])
    erased = [a for a in applications if a.erased]
    assert len(erased) == 1 and erased[0].applicant_id not in keys
    assert erased[0].status is ApplicationStatus.ENDED
    for application in applications:
        if not application.erased:
            key = keys[application.applicant_id]
            name = unseal(key, application.applicant_id, application.applicant_name)
            assert 2 <= len(name) <= 4
