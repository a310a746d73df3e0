from __future__ import annotations

import uuid
from dataclasses import replace

from cso.domain.enterprise import Enterprise
from cso.domain.enums import PartyOrganizationKind
from cso.eventstore import Metadata, StreamAppend
from tests.integration.projections.factories import new_chain, new_enterprise
from tests.integration.projections.world import WAIT_SECONDS, World

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


async def append_as_an_older_database(world: World, enterprise: Enterprise) -> None:
    """Append the enterprise's pending events as a log written before enterprises recorded
    CoverageChanged holds them: without those events, the others numbered on."""
    kept = [e for e in enterprise.collect_events() if type(e).__name__ != "CoverageChanged"]
    numbered = [replace(e, originator_version=v) for v, e in enumerate(kept, start=1)]
    encoded = [world.repository.codec.encode(e) for e in numbered]
    appended = StreamAppend(enterprise.id, "Enterprise", 0, encoded)
    result = await world.store.append([appended], Metadata())
    assert await world.supervisor.wait_for(result.checkpoint.token(), timeout=WAIT_SECONDS)


async def test_an_older_log_without_coverage_events_projects_the_coverages_it_implies(
    world: World,
) -> None:
    organised = new_enterprise()
    organised.record_party_organization(PartyOrganizationKind.BRANCH, 7)
    posting_id = uuid.uuid4()
    organised.begin_posting(posting_id)
    organised.end_posting(posting_id)
    await append_as_an_older_database(world, organised)
    posted = new_enterprise()
    posted.begin_posting(uuid.uuid4())
    await append_as_an_older_database(world, posted)

    row = await world.row(SELECT_ENTERPRISE, organised.id)
    assert (row["organisation_covered"], row["work_covered"]) == (True, True)
    assert row["version"] == 4  # registered, organisation, posted, ended: no coverage event
    row = await world.row(SELECT_ENTERPRISE, posted.id)
    assert (row["organisation_covered"], row["work_covered"]) == (False, True)
