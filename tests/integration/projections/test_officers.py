from __future__ import annotations

import uuid

from cso.domain.enums import OfficerRole
from tests.integration.projections.factories import new_officer
from tests.integration.projections.world import World

SELECT_OFFICER = "SELECT * FROM rm_officers WHERE id = $1"


async def test_a_registered_officer_appears_with_roles_and_contact(world: World) -> None:
    officer = new_officer("张伟", [OfficerRole.FIRST_SECRETARY, OfficerRole.CSO])
    await world.save(officer)

    row = await world.row(SELECT_OFFICER, officer.id)
    [registered] = await world.events(officer.id)
    assert row["name"] == "张伟"
    assert row["department"] == "区投资促进局"
    assert row["roles"] == ["CSO", "FIRST_SECRETARY"]
    assert row["party_member"] is True
    assert row["phone"] == "13800001234"
    assert row["active"] is True
    assert row["active_posting_id"] is None
    assert row["version"] == 1
    assert row["created_at"] == row["updated_at"] == registered.recorded_at


async def test_an_officer_follows_role_changes_a_posting_and_deactivation(world: World) -> None:
    officer = new_officer(roles=[OfficerRole.CSO])
    await world.save(officer)
    officer.change_roles([OfficerRole.CSO, OfficerRole.FIRST_SECRETARY])
    await world.save(officer)
    posting_id = uuid.uuid4()
    officer.begin_posting(posting_id)
    await world.save(officer)

    posted = await world.row(SELECT_OFFICER, officer.id)
    assert posted["roles"] == ["CSO", "FIRST_SECRETARY"]
    assert posted["active_posting_id"] == posting_id

    officer.end_posting(posting_id)
    officer.deactivate()
    await world.save(officer)

    row = await world.row(SELECT_OFFICER, officer.id)
    events = await world.events(officer.id)
    assert row["active_posting_id"] is None
    assert row["active"] is False
    assert row["version"] == officer.version == len(events) == 5
    assert row["created_at"] == events[0].recorded_at
    assert row["updated_at"] == events[-1].recorded_at
