"""The demo district replayed through the domain, against what the read models answer.

Stage, overdue, open requests and the two coverages are decided by the domain alone; the
projections store those decisions and the dashboard and lists only count and compare them.
So the figures users see must equal what the replayed aggregates say.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import asyncpg

from cso.domain.enterprise import Enterprise
from cso.domain.enterprise_request import EnterpriseRequest
from cso.domain.project import Project
from cso.domain.secretary_posting import SecretaryPosting
from cso.projections.dashboard import chain_coverage, dashboard
from cso.projections.project_queries import PROJECT_FILTER
from tests.integration.seed.conftest import TODAY, replay_all

OVERDUE_PROJECTS = f"SELECT p.id FROM rm_projects p WHERE {PROJECT_FILTER}"


async def test_the_dashboard_counts_stages_and_requests_as_the_domain_decides(
    projected: asyncpg.Pool[Any],
) -> None:
    projects = await replay_all(projected, Project)
    requests = await replay_all(projected, EnterpriseRequest)
    postings = await replay_all(projected, SecretaryPosting)
    for today in (TODAY, TODAY - timedelta(days=30), TODAY + timedelta(days=30)):
        figures = await dashboard(projected, today)
        assert {s.stage: s.count for s in figures.projects_by_stage if s.count} == Counter(
            p.stage for p in projects
        )
        # Requests raised on projects and problems logged on postings alike.
        assert figures.open_requests == sum(len(p.open_request_ids) for p in projects) + sum(
            len(p.open_request_ids) for p in postings
        )
        assert figures.open_requests == sum(r.open for r in requests)
        assert figures.overdue_requests == sum(r.is_overdue(today) for r in requests)
    assert (await dashboard(projected, TODAY)).overdue_requests >= 1


async def test_the_overdue_filter_lists_the_projects_the_domain_finds_overdue(
    projected: asyncpg.Pool[Any],
) -> None:
    projects = await replay_all(projected, Project)
    requests = await replay_all(projected, EnterpriseRequest)
    for today in (TODAY, TODAY + timedelta(days=30)):
        params = [None] * 5
        late = await projected.fetch(OVERDUE_PROJECTS, *params, True, today, None)
        on_time = await projected.fetch(OVERDUE_PROJECTS, *params, False, today, None)
        expected = {r.project_id for r in requests if r.project_id and r.is_overdue(today)}
        assert {row["id"] for row in late} == expected
        assert {row["id"] for row in on_time} == {p.id for p in projects} - expected


async def test_each_projects_row_holds_the_domains_stage_and_figures(
    projected: asyncpg.Pool[Any],
) -> None:
    projects = {p.id: p for p in await replay_all(projected, Project)}
    requests = await replay_all(projected, EnterpriseRequest)
    rows = await projected.fetch("SELECT * FROM rm_projects")
    assert {row["id"] for row in rows} == set(projects)
    for row in rows:
        project = projects[row["id"]]
        assert row["stage"] == project.stage.value
        own = [r for r in requests if r.project_id == project.id]
        assert row["overdue_from"] == min(
            (r.overdue_from for r in own if r.overdue_from), default=None
        )
        assert row["open_requests"] == len(project.open_request_ids) == sum(r.open for r in own)
        assert (row["cso_id"], row["cso_since"], row["cso_terms"]) == (
            project.cso_id,
            project.cso_since,
            project.cso_terms,
        )
        assert (row["service_count"], row["latest_service_on"]) == (
            project.service_count,
            project.latest_service_on,
        )
        assert row["version"] == project.version


async def test_coverage_per_chain_and_district_wide_is_the_domains(
    projected: asyncpg.Pool[Any],
) -> None:
    enterprises = await replay_all(projected, Enterprise)
    figures = await dashboard(projected, TODAY)
    organisation = sum(e.organisation_covered for e in enterprises)
    work = sum(e.work_covered() for e in enterprises)
    assert figures.organisation_coverage_rate == organisation / len(enterprises)
    assert figures.work_coverage_rate == work / len(enterprises)
    assert 0 < organisation < len(enterprises)

    chain_ids = {e.chain_id for e in enterprises if e.chain_id is not None}
    per_chain = await chain_coverage(projected, chain_ids)
    for chain_id in chain_ids:
        on_chain = [e for e in enterprises if e.chain_id == chain_id]
        found = per_chain[chain_id]
        assert found.enterprises == len(on_chain)
        assert found.organisation_covered == sum(e.organisation_covered for e in on_chain)
        assert found.work_covered == sum(e.work_covered() for e in on_chain)


async def test_the_demo_postings_leave_some_chains_fully_work_covered_and_others_not(
    projected: asyncpg.Pool[Any],
) -> None:
    chains = {row["name"]: row["id"] for row in await projected.fetch("SELECT * FROM rm_chains")}
    per_chain = await chain_coverage(projected, chains.values())
    full = {name for name, chain_id in chains.items() if per_chain[chain_id].work_rate == 1}
    assert full == {"人工智能", "半导体与集成电路"}
    assert all(figures.organisation_rate != 1 for figures in per_chain.values())
    postings = await projected.fetch(
        "SELECT active, visit_count, guidance_count, extension_count FROM rm_postings"
    )
    assert sorted(p["active"] for p in postings) == [False] + [True] * 7
    assert all(p["visit_count"] >= 2 and p["guidance_count"] >= 1 for p in postings)
    assert sum(p["extension_count"] for p in postings) == 1


async def test_a_departments_queue_in_the_demo_holds_requests_of_both_sources(
    projected: asyncpg.Pool[Any],
) -> None:
    rows = await projected.fetch(
        """SELECT d.department, array_agg(DISTINCT r.source) AS sources
           FROM rm_requests r CROSS JOIN LATERAL unnest(r.departments) AS d(department)
           WHERE r.open GROUP BY d.department"""
    )
    assert any(set(row["sources"]) == {"PROJECT", "POSTING"} for row in rows)
    problems = await projected.fetch(
        "SELECT status, redo_count, satisfaction FROM rm_requests WHERE source = 'POSTING'"
    )
    assert any(p["redo_count"] == 1 and p["status"] == "REFERRED" for p in problems)
    assert sum(p["status"] == "RESOLVED" for p in problems) >= 4
