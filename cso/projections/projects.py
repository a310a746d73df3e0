"""Read model of projects: rm_projects, each project's milestones and CSO terms.

The service plan and timeline (project_services) and the requests (project_requests) are
handled by the same projection: one runner, one checkpoint, one transaction per batch. The
queries the GraphQL layer reads projects through are in project_queries.

Rows of a project's lists carry the project version that wrote them, so that a project
replayed to a version reads its lists as they were then.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from cso.domain.enterprise import Enterprise
from cso.domain.enums import Milestone
from cso.domain.project import Project
from cso.domain.project_reads import project_stage
from cso.eventstore import RecordedEvent
from cso.projections import legacy_requests, project_rows, project_services, requests
from cso.projections.base import Projection, row_keys

PROJECTION = Projection(
    "projects",
    tables=("rm_project_enterprises", "rm_projects", "rm_project_milestones", "rm_cso_assignments"),
)
PROJECTION.include(project_services.PART)
PROJECTION.include(requests.PART)
PROJECTION.include(legacy_requests.PART)

# Each milestone's rank as the domain gives it, looked up once: `Milestone.rank` walks the
# enum on every call (3% of the projects runner's CPU in a catch-up).
RANKS = {milestone: milestone.rank for milestone in Milestone}

# The projection's own copy of each enterprise's district: reading rm_enterprises instead
# would depend on how far the enterprises runner has got.
UPSERT_DISTRICT = """
INSERT INTO rm_project_enterprises (enterprise_id, district) VALUES ($1, $2)
ON CONFLICT (enterprise_id) DO UPDATE SET district = excluded.district
"""

INSERT_PROJECT = """
WITH milestone AS (
  INSERT INTO rm_project_milestones (project_id, milestone, rank, reached_on, version,
                                     recorded_at)
  VALUES ($1, $6, $7, $9, $10, $11)
  ON CONFLICT (project_id, milestone) DO NOTHING
)
INSERT INTO rm_projects (id, enterprise_id, name, investment, chain_id, district,
                         latest_milestone, stage, signed_on, version, created_at, updated_at)
SELECT $1, $2, $3, $4, $5,
       (SELECT district FROM rm_project_enterprises WHERE enterprise_id = $2),
       $6, $8, $9, $10, $11, $11
ON CONFLICT (id) DO NOTHING
"""

# A milestone reached ($4, its rank $5, the day $6). The project's row takes the milestone
# and the stage the domain gives (project_rows).
INSERT_MILESTONE = """
INSERT INTO rm_project_milestones (project_id, milestone, rank, reached_on, version, recorded_at)
VALUES ($1, $4, $5, $6, $2, $3)
ON CONFLICT (project_id, milestone) DO NOTHING
"""

# A CSO's term ($4 officer, $5 from, $6 reason); the row takes the CSO (project_rows).
INSERT_TERM = """
INSERT INTO rm_cso_assignments (project_id, version, officer_id, start_on, reason, recorded_at)
VALUES ($1, $2, $4, $5, $6, $3)
ON CONFLICT (project_id, version) DO NOTHING
"""


# Each touches only rows named by $1 (the project; the enterprise for UPSERT_DISTRICT) and,
# for INSERT_PROJECT, its enterprise's district ($2): the batch writer may group them.
PROJECTION.keyed_by(UPSERT_DISTRICT, INSERT_MILESTONE, INSERT_TERM)
PROJECTION.keyed_by(INSERT_PROJECT, on=(1, 2))


@PROJECTION.on(Enterprise, "Registered")
async def enterprise_registered(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    await conn.execute(UPSERT_DISTRICT, recorded.stream_id, event.district)


@PROJECTION.on(Project, "Registered")
async def registered(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    signed = Milestone.SIGNED
    await conn.execute(
        INSERT_PROJECT,
        recorded.stream_id,
        event.enterprise_id,
        event.name,
        event.investment,
        event.chain_id,
        signed.value,
        RANKS[signed],
        project_stage(signed, closed=False).value,
        event.signed_on,
        recorded.version,
        recorded.recorded_at,
    )


@PROJECTION.on(Project, "MilestoneReached")
async def milestone_reached(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    milestone: Milestone = event.milestone
    await conn.execute(
        INSERT_MILESTONE, *row_keys(recorded), milestone.value, RANKS[milestone], event.on
    )
    await project_rows.write(
        conn,
        recorded,
        latest_milestone=milestone.value,
        # Nothing is recorded on a closed project, so a milestone is reached while open.
        stage=project_stage(milestone, closed=False).value,
        construction_started_on=event.on if milestone is Milestone.CONSTRUCTION_STARTED else None,
    )


@PROJECTION.on(Project, "CsoAssigned")
async def cso_assigned(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    await conn.execute(INSERT_TERM, *row_keys(recorded), event.officer_id, event.on, event.reason)
    await project_rows.write(
        conn, recorded, cso_id=event.officer_id, cso_since=event.on, cso_terms=1
    )


@PROJECTION.on(Project, "Closed")
async def closed(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    await project_rows.write(
        conn,
        recorded,
        stage=project_stage(Milestone.SIGNED, closed=True).value,
        closed_at=recorded.recorded_at,
        outcome=event.outcome.value,
        close_reason=event.reason,
    )
