from __future__ import annotations

from collections import Counter
from datetime import timedelta
from uuid import UUID

import pytest

from cso.domain.chain import IndustryChain
from cso.domain.enterprise import Enterprise
from cso.domain.enterprise_request import EnterpriseRequest
from cso.domain.enums import (
    CalendarSource,
    Milestone,
    PartyOrganizationKind,
    ProjectOutcome,
    ProjectStage,
    RequestCategory,
    RequestStatus,
    ServiceKind,
)
from cso.domain.officer import Officer
from cso.domain.project import Project
from cso.domain.values import validate_credit_code
from cso.eventstore import EventStore
from cso.seed import SEED_SUPERVISOR, DatabaseNotEmpty, database_is_empty, seed
from cso.services.holiday_library import library_calendar
from cso.services.working_calendars import year_calendar
from tests.integration.seed.conftest import (
    TODAY,
    Seeded,
    application,
    decoded_events,
    replay_all,
)


async def test_seeding_a_fresh_database_loads_the_demo_district(seeded: Seeded) -> None:
    summary = seeded.summary
    assert (summary.chains, summary.enterprises, summary.officers, summary.projects) == (
        7,
        41,  # 36, and 5 SMEs of the accelerator park (cso/seed/postings.py)
        16,  # 10, and 6 first secretaries
        40,
    )
    assert summary.services >= 3 * summary.projects
    assert summary.requests >= summary.projects
    assert 1 <= summary.overdue_requests <= summary.open_requests < summary.requests
    assert summary.reassignments >= 1
    assert summary.supervisor_id == SEED_SUPERVISOR.id
    streams = dict(
        await seeded.pool.fetch(
            "SELECT stream_type, count(DISTINCT stream_id) FROM events GROUP BY stream_type"
        )
    )
    assert streams == {
        "IndustryChain": 7,
        "Enterprise": 41,
        "Officer": 16,
        "Project": 40,
        "EnterpriseRequest": summary.requests,
        "SecretaryPosting": 8,
        "WorkingCalendar": 1,
        "HousingUnit": 300,
        "HousingApplication": 36,
        "Waitlist": 1,
    }


async def test_every_project_stage_is_present_in_the_replayed_projects(seeded: Seeded) -> None:
    projects = await replay_all(seeded.pool, Project)
    stages = Counter(p.stage.value for p in projects)
    assert set(stages) == {stage.value for stage in ProjectStage}
    assert stages == Counter(seeded.summary.projects_by_stage)
    assert {p.outcome for p in projects if p.closed} == set(ProjectOutcome)


async def test_every_credit_code_is_valid_and_unique(seeded: Seeded) -> None:
    codes = [e.credit_code for e in await replay_all(seeded.pool, Enterprise)]
    assert all(validate_credit_code(code) == code for code in codes)
    assert len(set(codes)) == len(codes) == 41


async def test_at_least_one_request_is_overdue_today(seeded: Seeded) -> None:
    projects = await replay_all(seeded.pool, Project)
    requests = await replay_all(seeded.pool, EnterpriseRequest)
    overdue = [r for r in requests if r.is_overdue(TODAY)]
    assert len(overdue) == seeded.summary.overdue_requests >= 1
    assert all(r.status is not RequestStatus.RESOLVED and r.due_on < TODAY for r in overdue)
    assert not [i for p in projects if p.closed for i in p.open_request_ids]


async def test_every_stream_verifies(seeded: Seeded) -> None:
    store = EventStore(seeded.pool)
    rows = await seeded.pool.fetch("SELECT stream_id, max(version) FROM events GROUP BY stream_id")
    for stream_id, version in rows:
        verification = await store.verify_stream(stream_id)
        assert verification.ok, stream_id
        assert verification.events_checked == version


async def test_milestones_are_in_order_with_realistic_gaps_and_never_in_the_future(
    seeded: Seeded,
) -> None:
    projects = await replay_all(seeded.pool, Project)
    signed = {project.id: project.signed_on for project in projects}
    services = await decoded_events(seeded.pool, "ServiceRecorded")
    assert all(signed[s.originator_id] <= s.occurred_on <= TODAY for s in services)
    same_day_starts = 0
    for project in projects:
        dates = [m.on for m in project.milestones]
        assert [m.milestone for m in project.milestones] == list(Milestone)[: len(dates)]
        assert dates == sorted(dates)
        assert TODAY - timedelta(days=750) <= project.signed_on <= dates[-1] <= TODAY
        site = project.milestone_date(Milestone.SITE_SELECTED)
        assert site is None or site > project.signed_on
        land = project.milestone_date(Milestone.LAND_DELIVERED)
        same_day_starts += land is not None and land == project.milestone_date(
            Milestone.CONSTRUCTION_STARTED
        )
    assert same_day_starts >= 1  # 交地即开工


async def test_project_work_is_recorded_by_the_assigned_cso_as_the_actor(seeded: Seeded) -> None:
    rows = await seeded.pool.fetch(
        "SELECT type, data, metadata FROM events WHERE stream_type = 'Project'"
    )
    by_supervisor = {"Registered", "CsoAssigned"}
    for row in rows:
        actor = row["metadata"]["actor"]
        if row["type"].rsplit(".", 1)[-1] in by_supervisor:
            assert actor["id"] == SEED_SUPERVISOR.id
        else:
            assert actor["role"] == "officer"
        if row["type"].endswith(".ServiceRecorded"):
            assert UUID(actor["id"]) == UUID(row["data"]["officer_id"]["_data_"])


REQUEST_EVENTS = "SELECT count(*) FROM events WHERE type LIKE '%:EnterpriseRequest.' || $1"


async def test_the_demo_covers_every_kind_of_service_request_and_assignment(
    seeded: Seeded,
) -> None:
    projects = await replay_all(seeded.pool, Project)
    services = await decoded_events(seeded.pool, "ServiceRecorded")
    assert len(services) == sum(p.service_count for p in projects)
    requests = await replay_all(seeded.pool, EnterpriseRequest)
    assert {s.kind for s in services} == set(ServiceKind)
    assert {r.category for r in requests} == set(RequestCategory)
    assert {r.status for r in requests} == set(RequestStatus)
    assert any(r.satisfaction is not None for r in requests)
    assert any(r.joint for r in requests)
    assert any(len(r.departments) == 1 for r in requests)
    assert len({d for r in requests for d in r.departments}) >= 5
    assert any(r.redo_count for r in requests)
    for kind in ("Returned", "DeadlineExtended", "Redone"):
        assert await seeded.pool.fetchval(REQUEST_EVENTS, kind), kind
    assert any(p.cso_id is None for p in projects)
    assert all(p.service_plan for p in projects if p.cso_id is not None)
    assignments = await decoded_events(seeded.pool, "CsoAssigned")
    assert len(assignments) == sum(p.cso_terms for p in projects)
    first_terms = {a.originator_id: a for a in reversed(assignments)}
    reassigned = [a for a in assignments if first_terms[a.originator_id] is not a]
    assert reassigned and all(a.reason for a in reassigned)


async def test_officers_chains_and_party_organisations_look_like_a_district(
    seeded: Seeded,
) -> None:
    officers = {o.id: o for o in await replay_all(seeded.pool, Officer)}
    assert sum(o.party_member for o in officers.values()) >= len(officers) - 1
    assert any(not o.active for o in officers.values())
    projects = await replay_all(seeded.pool, Project)
    serving = {p.cso_id for p in projects if not p.closed and p.cso_id is not None}
    assert all(officers[officer_id].active for officer_id in serving)
    chains = await replay_all(seeded.pool, IndustryChain)
    assert all(1 <= len(c.master_ids) <= 2 for c in chains)
    enterprises = await replay_all(seeded.pool, Enterprise)
    covered = [e for e in enterprises if e.organisation_covered]
    assert len(covered) >= len(enterprises) // 2
    assert all(e.party_member_count >= 3 for e in covered)
    assert {e.party_organization for e in covered} == set(PartyOrganizationKind) - {
        PartyOrganizationKind.NONE
    }
    assert {e.district for e in enterprises} == {"海珠区", "黄埔区", "南沙区"}


async def test_a_database_that_holds_events_is_not_seeded_again(seeded: Seeded) -> None:
    before = await seeded.pool.fetchval("SELECT count(*) FROM events")
    assert not await database_is_empty(seeded.pool)
    with pytest.raises(DatabaseNotEmpty):
        await seed(application(seeded.pool), today=TODAY)
    assert await seeded.pool.fetchval("SELECT count(*) FROM events") == before


async def test_the_supervisor_records_the_demo_years_official_calendar_which_later_requests_use(
    seeded: Seeded,
) -> None:
    repository = application(seeded.pool).repository
    calendar = await year_calendar(repository, TODAY.year)
    assert calendar.source is CalendarSource.OFFICIAL
    assert calendar.holidays == library_calendar(TODAY.year).holidays  # type: ignore[union-attr]
    rows = await seeded.pool.fetch("SELECT raised_on, calendar_source FROM rm_requests")
    this_year = {row["calendar_source"] for row in rows if row["raised_on"].year == TODAY.year}
    assert this_year == {"OFFICIAL"}
    # Earlier years count on the library's calendar (a count into this year says LIBRARY too,
    # the weaker of the two it used).
    earlier = {row["calendar_source"] for row in rows if row["raised_on"].year < TODAY.year}
    assert earlier == {"LIBRARY"}
