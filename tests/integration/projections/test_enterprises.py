from __future__ import annotations

import uuid

from cso.domain.enums import PartyOrganizationKind
from tests.integration.projections.factories import new_chain, new_enterprise
from tests.integration.projections.world import World

SELECT_ENTERPRISE = "SELECT * FROM rm_enterprises WHERE id = $1"


async def test_a_registered_enterprise_appears_without_a_park_when_it_has_none(
    world: World,
) -> None:
    chain = new_chain()
    enterprise = new_enterprise(district="天河区", park=None, sme=False, chain_id=chain.id)
    await world.save(chain, enterprise)

    row = await world.row(SELECT_ENTERPRISE, enterprise.id)
    assert row["name"] == enterprise.name
    assert row["credit_code"] == enterprise.credit_code
    assert row["district"] == "天河区"
    assert row["park"] is None
    assert row["sme"] is False
    assert row["chain_id"] == chain.id
    assert row["party_organization"] == "NONE"
    assert row["party_member_count"] == 0
    assert row["version"] == 1


async def test_an_enterprise_follows_its_party_organisation_and_first_secretary(
    world: World,
) -> None:
    enterprise = new_enterprise()
    await world.save(enterprise)
    enterprise.record_party_organization(PartyOrganizationKind.BRANCH, 7)
    posting_id = uuid.uuid4()
    enterprise.begin_posting(posting_id)
    await world.save(enterprise)

    posted = await world.row(SELECT_ENTERPRISE, enterprise.id)
    assert posted["party_organization"] == "BRANCH"
    assert posted["party_member_count"] == 7
    assert posted["active_posting_id"] == posting_id

    enterprise.end_posting(posting_id)
    await world.save(enterprise)

    row = await world.row(SELECT_ENTERPRISE, enterprise.id)
    events = await world.events(enterprise.id)
    assert row["active_posting_id"] is None
    assert row["version"] == 5  # registered, organisation, coverage, posted, ended
    assert row["created_at"] == events[0].recorded_at
    assert row["updated_at"] == events[-1].recorded_at


async def test_an_enterprise_stores_the_coverages_its_events_decided(world: World) -> None:
    enterprise = new_enterprise()
    posting_id = uuid.uuid4()
    enterprise.begin_posting(posting_id)
    await world.save(enterprise)
    posted = await world.row(SELECT_ENTERPRISE, enterprise.id)
    assert (posted["organisation_covered"], posted["work_covered"]) == (False, True)

    enterprise.record_party_organization(PartyOrganizationKind.BRANCH, 3)
    enterprise.end_posting(posting_id)
    await world.save(enterprise)
    organised = await world.row(SELECT_ENTERPRISE, enterprise.id)
    assert (organised["organisation_covered"], organised["work_covered"]) == (True, True)

    enterprise.record_party_organization(PartyOrganizationKind.NONE, 0)
    await world.save(enterprise)
    bare = await world.row(SELECT_ENTERPRISE, enterprise.id)
    assert (bare["organisation_covered"], bare["work_covered"]) == (False, False)
