from __future__ import annotations

import uuid

from cso.domain.enums import OfficerRole
from cso.projections import officers
from tests.integration.projections.conftest import Isolated
from tests.integration.projections.factories import new_officer
from tests.integration.projections.one_batch import replay_in_one_batch, tables
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


async def test_an_officer_s_touches_folded_in_one_batch_leave_the_row_one_event_at_a_time_did(
    isolated: Isolated,
) -> None:
    # Touches (cases taken and released) around a change of roles, then one last touch: in
    # one batch the touches are written once, after the roles, and the row still ends at
    # the last event's version and time.
    officer = new_officer(roles=[OfficerRole.CSO])
    await isolated.save_and_project(officer)
    first, second = uuid.uuid4(), uuid.uuid4()
    officer.assign_as_cso(first)
    await isolated.save_and_project(officer)
    officer.release_cso_case(first)
    await isolated.save_and_project(officer)
    officer.change_roles([OfficerRole.CSO, OfficerRole.CASO])
    await isolated.save_and_project(officer)
    officer.assign_as_cso(second)
    await isolated.save_and_project(officer)
    one_at_a_time = await tables(isolated, officers.PROJECTION)
    [row] = one_at_a_time["rm_officers"]
    assert (row["version"], row["roles"]) == (5, ["CSO", "CASO"])

    await replay_in_one_batch(isolated, officers.PROJECTION)

    assert await tables(isolated, officers.PROJECTION) == one_at_a_time
    officer.change_roles([OfficerRole.CSO])  # a later event's own write: past the touches
    await isolated.save_and_project(officer)
    await replay_in_one_batch(isolated, officers.PROJECTION)
    [row] = (await tables(isolated, officers.PROJECTION))["rm_officers"]
    assert (row["version"], row["roles"]) == (6, ["CSO"])
