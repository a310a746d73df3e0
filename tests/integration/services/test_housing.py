"""Talent housing use cases on the real store: atomic allocation and move-out, the waitlist,
the CASO's case on their stream, and two allocations racing for one unit."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from cso.domain.enums import ApplicationStatus, OfficerRole, TalentTier, UnitStatus
from cso.domain.errors import InvalidValue, RuleViolation
from cso.domain.housing_application import AllocationOutOfOrder, HousingApplication
from cso.domain.housing_unit import HousingUnit, UnitNotAvailable
from cso.domain.officer import Officer, RoleInUse
from cso.domain.waitlist import WAITLIST_ID, Waitlist
from cso.eventstore import Codec
from cso.services import housing, officers
from cso.services.application import Application, Changed
from cso.services.errors import Forbidden, RuleViolated
from tests.id_numbers import an_id_number
from tests.integration.services.conftest import (
    TODAY,
    another_process,
    command,
    new_enterprise,
    new_officer,
    officer_principal,
)

LEASE_END = TODAY + timedelta(days=3 * 365)


async def new_unit(app: Application, rooms: int = 2) -> uuid.UUID:
    changed = await housing.list_housing_unit(
        app,
        command(),
        building="琶洲人才公寓3栋",
        unit_no=uuid.uuid4().hex[:10],
        rooms=rooms,
        area_sqm=Decimal("72.5"),
        monthly_rent=Decimal("2300"),
    )
    return changed["unit"]


async def new_application(
    app: Application, tier: TalentTier = TalentTier.B, household: int = 2
) -> tuple[uuid.UUID, uuid.UUID]:
    """A submitted application with a CASO: (application id, CASO's officer id)."""
    employer_id = await new_enterprise(
        app, name="广州琶洲数字科技有限公司", district="海珠区", park="琶洲人工智能与数字经济试验区"
    )
    changed = await housing.apply_for_housing(
        app,
        command(),
        applicant_name="张三",
        id_number=an_id_number(),
        phone="13912345678",
        employer_id=employer_id,
        tier=tier,
        household_size=household,
    )
    caso_id = await new_officer(app, [OfficerRole.CASO])
    await housing.assign_caso(
        app, command(), application_id=changed["application"], officer_id=caso_id
    )
    return changed["application"], caso_id


async def approved_application(
    app: Application, tier: TalentTier = TalentTier.B, household: int = 2
) -> tuple[uuid.UUID, uuid.UUID]:
    application_id, caso_id = await new_application(app, tier, household)
    await housing.approve_housing_application(
        app, command(officer_principal(caso_id)), application_id=application_id
    )
    return application_id, caso_id


async def allocate_as_caso(
    app: Application, application_id: uuid.UUID, caso_id: uuid.UUID, unit_id: uuid.UUID
) -> Changed:
    return await housing.allocate_housing_unit(
        app,
        command(officer_principal(caso_id), reason="竞争测试"),
        application_id=application_id,
        unit_id=unit_id,
        lease_end=LEASE_END,
    )


async def test_a_unit_number_taken_in_its_building_is_refused(app: Application) -> None:
    unit_no = uuid.uuid4().hex[:10]
    details = {
        "unit_no": unit_no,
        "rooms": 1,
        "area_sqm": Decimal(40),
        "monthly_rent": Decimal(900),
    }
    await housing.list_housing_unit(app, command(), building="1栋", **details)  # type: ignore[arg-type]
    await housing.list_housing_unit(app, command(), building="2栋", **details)  # type: ignore[arg-type]
    with pytest.raises(RuleViolated, match="housing unit number"):
        await housing.list_housing_unit(app, command(), building="1栋", **details)  # type: ignore[arg-type]


async def test_a_bad_id_number_is_refused_before_anything_is_stored(app: Application) -> None:
    employer_id = await new_enterprise(
        app, name="广州琶洲测试有限公司", district="海珠区", park=None
    )
    before = await app.store.pool.fetchval("SELECT count(*) FROM events")
    with pytest.raises(InvalidValue) as refused:
        await housing.apply_for_housing(
            app,
            command(),
            applicant_name="李四",
            id_number="440105199003071230",
            phone="13912345678",
            employer_id=employer_id,
            tier=TalentTier.A,
            household_size=1,
        )
    assert refused.value.field == "idNumber"
    assert await app.store.pool.fetchval("SELECT count(*) FROM events") == before


async def test_only_the_applications_caso_decides_it(app: Application) -> None:
    application_id, _ = await new_application(app)
    stranger = await new_officer(app, [OfficerRole.CASO])
    with pytest.raises(Forbidden):
        await housing.approve_housing_application(
            app, command(officer_principal(stranger)), application_id=application_id
        )


async def test_the_caso_cannot_be_deactivated_while_the_application_is_open(
    app: Application,
) -> None:
    application_id, caso_id = await new_application(app)
    with pytest.raises(RoleInUse, match=str(application_id)):
        await officers.deactivate_officer(app, command(), officer_id=caso_id)
    await housing.reject_housing_application(
        app, command(officer_principal(caso_id), reason="不符合条件"), application_id=application_id
    )
    await officers.deactivate_officer(app, command(), officer_id=caso_id)


async def test_allocation_move_in_and_move_out_change_unit_and_application_together(
    app: Application,
) -> None:
    application_id, caso_id = await approved_application(app, TalentTier.A, household=1)
    unit_id = await new_unit(app, rooms=1)
    as_caso = officer_principal(caso_id)
    allocated = await housing.allocate_housing_unit(
        app,
        command(as_caso, reason="测试：不论先后"),
        application_id=application_id,
        unit_id=unit_id,
        lease_end=LEASE_END,
    )
    assert allocated.ids == {"application": application_id, "unit": unit_id}
    unit = await app.repository.get(unit_id, HousingUnit)
    assert unit.status is UnitStatus.ALLOCATED and unit.application_id == application_id
    waitlist = await app.repository.get(WAITLIST_ID, Waitlist)
    assert application_id not in waitlist.ordered()
    await housing.record_move_in(app, command(as_caso), application_id=application_id, on=TODAY)
    await housing.renew_lease(
        app, command(as_caso), application_id=application_id, lease_end=LEASE_END + timedelta(365)
    )
    await housing.record_move_out(app, command(as_caso), application_id=application_id, on=TODAY)
    application = await app.repository.get(application_id, HousingApplication)
    unit = await app.repository.get(unit_id, HousingUnit)
    caso = await app.repository.get(caso_id, Officer)
    assert application.status is ApplicationStatus.ENDED and application.renewals == 1
    assert unit.status is UnitStatus.AVAILABLE and unit.application_id is None
    assert caso.held(OfficerRole.CASO) == []
    for event_type in ("UnitAllocated", "MovedOut"):
        # The application's event, the unit's and (for the move-out) the CASO's: one append.
        appended = await app.store.pool.fetchval(
            "SELECT transaction_id FROM events WHERE stream_id = $1 AND type LIKE '%.' || $2",
            application_id,
            event_type,
        )
        streams = await app.store.pool.fetch(
            "SELECT stream_id FROM events WHERE transaction_id = $1", appended
        )
        expected = {application_id, unit_id, WAITLIST_ID}
        if event_type == "MovedOut":
            expected = {application_id, unit_id, caso_id}
        assert {r["stream_id"] for r in streams} == expected


async def test_allocating_past_an_earlier_fitting_application_needs_a_reason(
    app: Application,
) -> None:
    first_id, _ = await approved_application(app, TalentTier.A, household=2)
    later_id, later_caso = await approved_application(app, TalentTier.D, household=2)
    unit_id = await new_unit(app, rooms=1)
    as_caso = officer_principal(later_caso)
    with pytest.raises(AllocationOutOfOrder, match=str(first_id)):
        await housing.allocate_housing_unit(
            app, command(as_caso), application_id=later_id, unit_id=unit_id, lease_end=LEASE_END
        )
    await housing.allocate_housing_unit(
        app,
        command(as_caso, reason="应急保障：夜班医护"),
        application_id=later_id,
        unit_id=unit_id,
        lease_end=LEASE_END,
    )
    row = await app.store.pool.fetchrow(
        "SELECT data, metadata FROM events WHERE stream_id = $1 AND type LIKE '%UnitAllocated'",
        later_id,
    )
    assert row is not None
    data = Codec.plain(row["data"])
    passed = {p["id"]: p for p in data["passed_over"]}
    assert passed[str(first_id)]["tier"] == "A"
    assert passed[str(first_id)]["waitlist_position"] < data["waitlist_position"]
    assert data["reason"] == "应急保障：夜班医护"


@pytest.mark.parametrize("processes", ["one process", "two processes"])
async def test_two_allocations_racing_for_one_unit_let_exactly_one_win(
    app: Application, processes: str
) -> None:
    other = app if processes == "one process" else another_process(app)
    for _ in range(8):
        first_id, first_caso = await approved_application(app, TalentTier.C)
        second_id, second_caso = await approved_application(app, TalentTier.C)
        unit_id = await new_unit(app)

        outcomes = await asyncio.gather(
            allocate_as_caso(app, first_id, first_caso, unit_id),
            allocate_as_caso(other, second_id, second_caso, unit_id),
            return_exceptions=True,
        )
        failures = [o for o in outcomes if isinstance(o, Exception)]
        assert len(failures) == 1 and isinstance(failures[0], UnitNotAvailable)
        winner, loser = (
            (first_id, second_id) if failures[0] is outcomes[1] else (second_id, first_id)
        )
        unit = await app.repository.get(unit_id, HousingUnit)
        assert unit.application_id == winner
        lost = await app.repository.get(loser, HousingApplication)
        assert lost.status is ApplicationStatus.APPROVED and lost.unit_id is None
        waitlist = await app.repository.get(WAITLIST_ID, Waitlist)
        assert loser in waitlist.ordered() and winner not in waitlist.ordered()
        assert isinstance(failures[0], RuleViolation)
