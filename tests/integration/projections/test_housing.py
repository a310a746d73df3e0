"""The housing read models store what the domain decides: capacity, waitlist order and
position, the allocation and whether it passed anyone over."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from cso.domain.enums import OfficerRole, TalentTier
from cso.domain.housing_application import HousingApplication
from cso.domain.housing_unit import HousingUnit
from cso.domain.id_number import make_id_number
from cso.domain.waitlist import WAITLIST_ID, Waitlist
from cso.eventstore import StreamNotFound
from cso.projections.housing import (
    applications_by_ids,
    housing_figures,
    suggested_units,
    units_by_ids,
)
from cso.services.personal_data import new_key, sealer
from tests.integration.projections.factories import new_officer
from tests.integration.projections.world import World

TODAY = date(2026, 11, 20)


async def waitlist(world: World) -> Waitlist:
    try:
        return await world.repository.get(WAITLIST_ID, Waitlist)
    except StreamNotFound:
        return Waitlist()


def application(tier: TalentTier, household: int = 2) -> HousingApplication:
    applicant = uuid.uuid4()
    return HousingApplication.apply(
        applicant,
        sealer(new_key(), applicant),
        "赵敏",
        make_id_number("44010619880808123"),
        "13712345678",
        uuid.uuid4(),
        tier,
        household,
        TODAY,
    )


async def test_units_store_their_capacity_and_status_and_the_cheapest_fitting_come_first(
    world: World,
) -> None:
    building = f"琶洲人才公寓{uuid.uuid4().hex[:6]}"
    cheap = HousingUnit.list_unit(building, "101", 1, Decimal(40), Decimal("0.01"))
    roomy = HousingUnit.list_unit(building, "102", 3, Decimal(90), Decimal("0.02"))
    await world.save(cheap, roomy)
    [row] = await units_by_ids(world.pool, [roomy.id])
    assert row["capacity"] == 6 and row["status"] == "AVAILABLE"
    suggested = [r["id"] for r in await suggested_units(world.pool, 3, 2)]
    assert suggested[0] == roomy.id  # the cheaper one fits only 2
    cheap.start_maintenance("漏水维修")
    await world.save(cheap)
    [row] = await units_by_ids(world.pool, [cheap.id])
    assert row["status"] == "MAINTENANCE"


async def test_an_application_shows_its_waitlist_position_then_its_allocation(
    world: World,
) -> None:
    officer = new_officer("陈静", [OfficerRole.CASO])
    early_d, late_a = application(TalentTier.D), application(TalentTier.A)
    for case in (early_d, late_a):
        case.assign_caso(officer, previous=None)
    await world.save(officer, early_d, late_a)
    wl = await waitlist(world)
    early_d.approve(wl)
    late_a.approve(wl)
    await world.save(wl, early_d, late_a)
    rows = {r["id"]: r for r in await applications_by_ids(world.pool, [early_d.id, late_a.id])}
    assert rows[late_a.id]["waitlist_position"] < rows[early_d.id]["waitlist_position"]
    assert rows[late_a.id]["waitlist_position"] == wl.ordered().index(late_a.id) + 1
    assert rows[early_d.id]["caso_id"] == officer.id
    # The CASO's row follows the cases taken on their stream (its version, at least).
    officer_row = await world.row("SELECT version FROM rm_officers WHERE id = $1", officer.id)
    assert officer_row["version"] == officer.version

    unit = HousingUnit.list_unit(f"B{uuid.uuid4().hex[:6]}", "1", 1, Decimal(40), Decimal(900))
    early_d.allocate(unit, wl, date(2029, 1, 1), TODAY, "急需：先到先住")
    await world.save(unit, wl, early_d)
    [row] = await applications_by_ids(world.pool, [early_d.id])
    assert row["status"] == "ALLOCATED" and row["waitlist_position"] is None
    assert row["unit_id"] == unit.id and row["lease_end"] == date(2029, 1, 1)
    assert row["allocated_out_of_order"] is True
    assert {"id": str(late_a.id), "tier": "A", "waitlist_position": 1}["id"] in [
        p["id"] for p in row["passed_over"]
    ]
    assert row["allocation_reason"] == "急需：先到先住"
    [unit_row] = await units_by_ids(world.pool, [unit.id])
    assert unit_row["status"] == "ALLOCATED" and unit_row["application_id"] == early_d.id


async def test_the_housing_figures_count_every_tier_waiting_and_the_occupied_share(
    world: World,
) -> None:
    before = await housing_figures(world.pool)
    officer = new_officer("陈静", [OfficerRole.CASO])
    case = application(TalentTier.C)
    case.assign_caso(officer, previous=None)
    wl = await waitlist(world)
    case.approve(wl)
    await world.save(officer, case, wl)
    after = await housing_figures(world.pool)
    assert [tier for tier, _ in after.waitlist_by_tier] == list(TalentTier)
    assert (
        dict(after.waitlist_by_tier)[TalentTier.C]
        == dict(before.waitlist_by_tier)[TalentTier.C] + 1
    )
    assert after.occupancy_rate is None or 0 <= after.occupancy_rate <= 1
