"""The demo's history is recorded at the story's times, so `asOf` shows it as it was."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from cso.domain.enterprise_request import EnterpriseRequest
from cso.domain.enums import DOMAIN_ENUMS, Milestone
from cso.domain.project import Project
from cso.eventstore import Codec, EventStore, Repository, StreamNotFound
from cso.seed.clock import DISTRICT_ZONE
from tests.integration.seed.conftest import TODAY, Seeded, replay_all


def end_of(day: date) -> datetime:
    """The last moment of a day of the story, district time."""
    return datetime.combine(day, time(23, 59, 59), DISTRICT_ZONE)


def repository(seeded: Seeded) -> Repository:
    return Repository(EventStore(seeded.pool), Codec(DOMAIN_ENUMS))


async def test_every_seeded_event_says_its_clock_was_simulated(seeded: Seeded) -> None:
    clocks = await seeded.pool.fetch(
        "SELECT metadata->>'clock' AS clock, count(*) FROM events GROUP BY 1"
    )
    assert [(row["clock"], row["count"] > 0) for row in clocks] == [("simulated", True)]


async def test_recorded_times_spread_over_the_story_up_to_its_last_day(seeded: Seeded) -> None:
    first, last = await seeded.pool.fetchrow(
        "SELECT min(recorded_at), max(recorded_at) FROM events"
    )
    assert last.astimezone(DISTRICT_ZONE).date() == TODAY
    assert timedelta(days=600) < last - first < timedelta(days=800)


async def test_recorded_times_never_go_back_within_a_stream(seeded: Seeded) -> None:
    backwards = await seeded.pool.fetchval(
        """SELECT count(*) FROM (
             SELECT recorded_at < lag(recorded_at) OVER (PARTITION BY stream_id ORDER BY version)
                    AS back
             FROM events) e WHERE back"""
    )
    assert backwards == 0


async def test_a_project_as_of_a_day_before_its_last_milestone_shows_the_stage_before(
    seeded: Seeded,
) -> None:
    projects = [p for p in await replay_all(seeded.pool, Project) if len(p.milestones) >= 3]
    assert projects
    repo = repository(seeded)
    for project in projects:
        last, before = project.milestones[-1], project.milestones[-2]
        if last.on == before.on:
            continue  # 交地即开工: both on one day
        then = await repo.get(project.id, Project, as_of=end_of(last.on - timedelta(days=1)))
        assert then.stage.value == before.milestone.value
        assert then.version < project.version
        now = await repo.get(project.id, Project, as_of=end_of(last.on))
        assert now.milestone_date(last.milestone) == last.on


async def test_a_project_as_of_the_day_before_its_signing_was_not_yet_recorded(
    seeded: Seeded,
) -> None:
    repo = repository(seeded)
    for project in await replay_all(seeded.pool, Project):
        with pytest.raises(StreamNotFound):
            await repo.get(project.id, Project, as_of=end_of(project.signed_on - timedelta(days=1)))
        signed = await repo.get(project.id, Project, as_of=end_of(project.signed_on))
        assert signed.milestone_date(Milestone.SIGNED) == project.signed_on


async def test_a_district_a_year_ago_had_fewer_projects_and_requests(seeded: Seeded) -> None:
    year_ago = end_of(TODAY - timedelta(days=365))
    counts = await seeded.pool.fetchrow(
        """SELECT count(DISTINCT stream_id) FILTER (WHERE recorded_at <= $1) AS then,
                  count(DISTINCT stream_id) AS now
           FROM events WHERE stream_type = ANY($2::text[])""",
        year_ago,
        [Project.__name__, EnterpriseRequest.__name__],
    )
    assert 0 < counts["then"] < counts["now"]


async def test_a_request_as_of_the_day_it_was_received_is_not_yet_resolved(
    seeded: Seeded,
) -> None:
    requests = await replay_all(seeded.pool, EnterpriseRequest)
    resolved = [r for r in requests if r.resolved_on and not r.redo_count]
    assert resolved
    repo = repository(seeded)
    for request in resolved:
        if request.resolved_on == request.received_on:
            continue
        then = await repo.get(request.id, EnterpriseRequest, as_of=end_of(request.received_on))
        assert then.open and then.version < request.version
