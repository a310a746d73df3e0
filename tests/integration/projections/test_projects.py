from __future__ import annotations

from datetime import date
from decimal import Decimal

from cso.domain.enums import Milestone, OfficerRole, ProjectOutcome
from cso.projections.project_queries import assignments_at, milestones_at
from tests.integration.projections.factories import (
    new_chain,
    new_enterprise,
    new_officer,
    new_project,
)
from tests.integration.projections.world import World

TODAY = date(2024, 6, 1)

SELECT_PROJECT = "SELECT * FROM rm_projects WHERE id = $1"
SELECT_MILESTONES = """
SELECT milestone, rank, reached_on FROM rm_project_milestones WHERE project_id = $1 ORDER BY rank
"""


async def test_a_registered_project_is_signed_in_its_enterprises_district(world: World) -> None:
    chain = new_chain()
    enterprise = new_enterprise(district="南沙区", chain_id=chain.id)
    await world.save(chain, enterprise)
    project = new_project(enterprise, signed_on=date(2024, 3, 1), investment=Decimal("8800.50"))
    await world.save(project)

    row = await world.row(SELECT_PROJECT, project.id)
    [registered] = await world.events(project.id)
    assert row["enterprise_id"] == enterprise.id
    assert row["name"] == project.name
    assert row["investment"] == Decimal("8800.50")
    assert row["chain_id"] == chain.id
    assert row["district"] == "南沙区"
    assert (row["stage"], row["latest_milestone"]) == ("SIGNED", "SIGNED")
    assert row["signed_on"] == date(2024, 3, 1)
    assert row["cso_id"] is None
    assert row["closed"] is False
    assert (row["open_requests"], row["overdue_from"]) == (0, None)
    assert (row["service_count"], row["latest_service_on"]) == (0, None)
    assert row["version"] == 1
    assert row["created_at"] == row["updated_at"] == registered.recorded_at
    milestones = await world.pool.fetch(SELECT_MILESTONES, project.id)
    assert [tuple(m) for m in milestones] == [("SIGNED", 0, date(2024, 3, 1))]


async def test_a_project_moves_through_its_milestones_to_construction(world: World) -> None:
    enterprise = new_enterprise()
    project = new_project(enterprise, signed_on=date(2024, 1, 1))
    await world.save(enterprise, project)
    project.reach_milestone(Milestone.SITE_SELECTED, date(2024, 1, 10), TODAY)
    project.reach_milestone(Milestone.LAND_DELIVERED, date(2024, 2, 1), TODAY)
    await world.save(project)
    project.reach_milestone(Milestone.CONSTRUCTION_STARTED, date(2024, 2, 1), TODAY)
    await world.save(project)

    row = await world.row(SELECT_PROJECT, project.id)
    events = await world.events(project.id)
    assert row["stage"] == "CONSTRUCTION_STARTED"
    assert row["construction_started_on"] == date(2024, 2, 1)
    assert row["version"] == 4
    assert row["created_at"] == events[0].recorded_at
    assert row["updated_at"] == events[-1].recorded_at
    [at_two] = await milestones_at(world.pool, [(project.id, 2)])
    assert [(m["milestone"], m["reached_on"]) for m in at_two] == [
        ("SIGNED", date(2024, 1, 1)),
        ("SITE_SELECTED", date(2024, 1, 10)),
    ]
    milestones = await world.pool.fetch(SELECT_MILESTONES, project.id)
    assert [tuple(m) for m in milestones] == [
        ("SIGNED", 0, date(2024, 1, 1)),
        ("SITE_SELECTED", 1, date(2024, 1, 10)),
        ("LAND_DELIVERED", 2, date(2024, 2, 1)),
        ("CONSTRUCTION_STARTED", 3, date(2024, 2, 1)),
    ]


async def test_a_reassigned_cso_ends_the_first_term_and_every_version_reads_its_own_terms(
    world: World,
) -> None:
    first, second = new_officer("李明"), new_officer("陈静")
    enterprise = new_enterprise()
    project = new_project(enterprise)
    await world.save(first, second, enterprise, project)
    project.assign_cso(first, today=date(2024, 2, 1))
    await world.save(project)
    assert (await world.row(SELECT_PROJECT, project.id))["cso_id"] == first.id

    project.assign_cso(second, today=date(2024, 5, 1), reason="李明调任区发改局", previous=first)
    await world.save(project)

    row = await world.row(SELECT_PROJECT, project.id)
    now, then, before = await assignments_at(
        world.pool, [(project.id, 3), (project.id, 2), (project.id, 1)]
    )
    terms = ("officer_id", "start_on", "end_on", "reason")
    assert (row["cso_id"], row["cso_since"], row["cso_terms"]) == (second.id, date(2024, 5, 1), 2)
    assert row["version"] == 3
    assert [tuple(a[k] for k in terms) for a in now] == [
        (first.id, date(2024, 2, 1), date(2024, 5, 1), None),
        (second.id, date(2024, 5, 1), None, "李明调任区发改局"),
    ]
    assert [tuple(a[k] for k in terms) for a in then] == [(first.id, date(2024, 2, 1), None, None)]
    assert before == []


async def test_a_project_closed_as_operating_is_at_stage_closed_and_keeps_its_milestone(
    world: World,
) -> None:
    cso = new_officer(roles=[OfficerRole.CSO])
    enterprise = new_enterprise()
    project = new_project(enterprise, signed_on=date(2024, 1, 1))
    project.assign_cso(cso, today=date(2024, 1, 2))
    for milestone in list(Milestone)[1:]:
        project.reach_milestone(milestone, date(2024, 5, 1), TODAY)
    await world.save(cso, enterprise, project)
    assert (await world.row(SELECT_PROJECT, project.id))["stage"] == "OPERATING"

    project.close(ProjectOutcome.OPERATING, reason="按期投产", cso=cso)
    await world.save(project)

    row = await world.row(SELECT_PROJECT, project.id)
    events = await world.events(project.id)
    assert row["stage"] == "CLOSED"
    assert row["latest_milestone"] == "OPERATING"
    assert row["closed"] is True
    assert (row["outcome"], row["close_reason"]) == ("OPERATING", "按期投产")
    assert row["closed_at"] == row["updated_at"] == events[-1].recorded_at
    assert row["cso_id"] == cso.id
    assert row["version"] == len(events) == 8
