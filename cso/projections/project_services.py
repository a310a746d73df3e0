"""The projects projection, part two: the service plan and the service timeline."""

from __future__ import annotations

from typing import Any

import asyncpg

from cso.domain.project import Project
from cso.eventstore import RecordedEvent
from cso.projections import project_rows
from cso.projections.base import Projection, row_keys

PART = Projection("projects", tables=("rm_service_plans", "rm_services"))

# Each plan event writes the whole (bounded) plan as it leaves it, so any version reads the
# plan of its time. The plan is replaced; items that remain keep their completion. (The
# project's row takes the version: project_rows.)
SET_PLAN = """
INSERT INTO rm_service_plans (project_id, version, items, completed_items, recorded_at)
SELECT $1, $2, $4::text[],
       coalesce(ARRAY(SELECT i FROM unnest(previous.completed_items) AS i
                      WHERE i = ANY ($4::text[])), '{}'),
       $3
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (SELECT completed_items FROM rm_service_plans
                   WHERE project_id = $1 AND version < $2
                   ORDER BY version DESC LIMIT 1) AS previous ON true
ON CONFLICT (project_id, version) DO NOTHING
"""

COMPLETE_PLAN_ITEM = """
INSERT INTO rm_service_plans (project_id, version, items, completed_items, recorded_at)
SELECT $1, $2, previous.items, array_append(previous.completed_items, $4::text), $3
FROM (SELECT items, completed_items FROM rm_service_plans
      WHERE project_id = $1 AND version < $2
      ORDER BY version DESC LIMIT 1) AS previous
ON CONFLICT (project_id, version) DO NOTHING
"""

# The hot event: the service is inserted, and counted on the project's row (project_rows).
# Each event is applied exactly once (the checkpoint commits with the batch; the version
# guard stops a second apply), so the figures are kept by increment: recounting rm_services
# would cost every service event a scan of all the project's services.
RECORD_SERVICE = """
INSERT INTO rm_services
  (id, project_id, version, kind, summary, occurred_on, officer_id, recorded_at, position)
VALUES ($4, $1, $2, $5, $6, $7, $8, $3, $9)
ON CONFLICT (id) DO NOTHING
"""


# Each touches only the project's plans and services ($1) (batch.py: groupable).
PART.keyed_by(SET_PLAN, COMPLETE_PLAN_ITEM, RECORD_SERVICE)


@PART.on(Project, "ServicePlanSet")
async def service_plan_set(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    await conn.execute(SET_PLAN, *row_keys(recorded), list(event.items))
    await project_rows.write(conn, recorded)


@PART.on(Project, "ServiceItemCompleted")
async def service_item_completed(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    await conn.execute(COMPLETE_PLAN_ITEM, *row_keys(recorded), event.item)
    await project_rows.write(conn, recorded)


@PART.on(Project, "ServiceRecorded")
async def service_recorded(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    await conn.execute(
        RECORD_SERVICE,
        *row_keys(recorded),
        event.service_id,
        event.kind.value,
        event.summary,
        event.occurred_on,
        event.officer_id,
        recorded.position,
    )
    await project_rows.write(conn, recorded, services=1, latest_service_on=event.occurred_on)
