"""Read model of projects: rm_projects and each project's milestones and CSO assignments.

The service plan and timeline (project_services) and the requests (project_requests) are
handled by the same projection: one runner, one checkpoint, one transaction per batch.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from cso.domain.enterprise import Enterprise
from cso.domain.enums import Milestone, ProjectStage
from cso.domain.project import Project
from cso.eventstore import RecordedEvent
from cso.projections import project_requests, project_services
from cso.projections.base import Projection, row_keys

PROJECTION = Projection("projects")
PROJECTION.include(project_services.PART)
PROJECTION.include(project_requests.PART)

# The projection's own copy of each enterprise's district: reading rm_enterprises instead
# would depend on how far the enterprises runner has got.
UPSERT_DISTRICT = """
INSERT INTO rm_project_enterprises (enterprise_id, district) VALUES ($1, $2)
ON CONFLICT (enterprise_id) DO UPDATE SET district = excluded.district
"""

INSERT_PROJECT = """
INSERT INTO rm_projects (id, enterprise_id, name, investment, chain_id, district,
                         latest_milestone, stage, signed_on, version, created_at, updated_at)
SELECT $1, $2, $3, $4, $5,
       (SELECT district FROM rm_project_enterprises WHERE enterprise_id = $2),
       $6, $7, $8, $9, $10, $10
ON CONFLICT (id) DO NOTHING
"""

INSERT_MILESTONE = """
INSERT INTO rm_project_milestones (project_id, milestone, rank, reached_on, recorded_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (project_id, milestone) DO NOTHING
"""

REACH_MILESTONE = """
UPDATE rm_projects
SET latest_milestone = $4,
    stage = CASE WHEN closed THEN $5 ELSE $4 END,
    construction_started_on = CASE WHEN $4 = $6 THEN $7::date
                                   ELSE construction_started_on END,
    version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

END_ASSIGNMENT = """
UPDATE rm_cso_assignments SET end_on = $3
WHERE project_id = $1 AND seq < $2 AND end_on IS NULL
"""

INSERT_ASSIGNMENT = """
INSERT INTO rm_cso_assignments (project_id, seq, officer_id, start_on, reason, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (project_id, seq) DO NOTHING
"""

SET_CSO = """
UPDATE rm_projects SET cso_id = $4, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

CLOSE_PROJECT = """
UPDATE rm_projects
SET closed = true, stage = $4, outcome = $5, close_reason = $6, closed_at = $3,
    version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""


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
        ProjectStage.of(signed).value,
        event.signed_on,
        recorded.version,
        recorded.recorded_at,
    )
    await conn.execute(
        INSERT_MILESTONE,
        recorded.stream_id,
        signed.value,
        signed.rank,
        event.signed_on,
        recorded.recorded_at,
    )


@PROJECTION.on(Project, "MilestoneReached")
async def milestone_reached(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    milestone: Milestone = event.milestone
    await conn.execute(
        INSERT_MILESTONE,
        recorded.stream_id,
        milestone.value,
        milestone.rank,
        event.on,
        recorded.recorded_at,
    )
    await conn.execute(
        REACH_MILESTONE,
        *row_keys(recorded),
        ProjectStage.of(milestone).value,
        ProjectStage.CLOSED.value,
        Milestone.CONSTRUCTION_STARTED.value,
        event.on,
    )


@PROJECTION.on(Project, "CsoAssigned")
async def cso_assigned(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    project_id, version = recorded.stream_id, recorded.version
    await conn.execute(END_ASSIGNMENT, project_id, version, event.on)
    await conn.execute(
        INSERT_ASSIGNMENT,
        project_id,
        version,
        event.officer_id,
        event.on,
        event.reason,
        recorded.recorded_at,
    )
    await conn.execute(SET_CSO, *row_keys(recorded), event.officer_id)


@PROJECTION.on(Project, "Closed")
async def closed(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    await conn.execute(
        CLOSE_PROJECT,
        *row_keys(recorded),
        ProjectStage.CLOSED.value,
        event.outcome.value,
        event.reason,
    )
