"""The projects projection, part two: the service plan and the service timeline."""

from __future__ import annotations

from typing import Any

import asyncpg

from cso.domain.project import Project
from cso.eventstore import RecordedEvent
from cso.projections.base import Projection, row_keys

PART = Projection("projects")

TOUCH_PROJECT = """
UPDATE rm_projects SET version = $2, updated_at = $3 WHERE id = $1 AND version < $2
"""

# The plan is replaced; items that remain keep their completion.
DROP_PLAN_ITEMS = """
DELETE FROM rm_service_plan WHERE project_id = $1 AND NOT (item = ANY ($2::text[]))
"""

UPSERT_PLAN_ITEMS = """
INSERT INTO rm_service_plan (project_id, seq, item)
SELECT $1, i.ord - 1, i.item FROM unnest($2::text[]) WITH ORDINALITY AS i(item, ord)
ON CONFLICT (project_id, item) DO UPDATE SET seq = excluded.seq
"""

COMPLETE_PLAN_ITEM = """
UPDATE rm_service_plan SET completed = true, completed_at = $3
WHERE project_id = $1 AND item = $2 AND NOT completed
"""

INSERT_SERVICE = """
INSERT INTO rm_services
  (id, project_id, kind, summary, occurred_on, officer_id, recorded_at, position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (id) DO NOTHING
"""

# One more service, and the latest date among them. Each event is applied exactly once
# (the checkpoint commits with the batch; the version guard stops a second apply), so the
# figures are kept by increment: recounting rm_services would cost every service event a
# scan of all the project's services. (greatest() ignores the NULL of a first service.)
COUNT_SERVICE = """
UPDATE rm_projects
SET service_count = service_count + 1, latest_service_on = greatest(latest_service_on, $4),
    version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""


@PART.on(Project, "ServicePlanSet")
async def service_plan_set(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    items = list(event.items)
    await conn.execute(DROP_PLAN_ITEMS, recorded.stream_id, items)
    await conn.execute(UPSERT_PLAN_ITEMS, recorded.stream_id, items)
    await conn.execute(TOUCH_PROJECT, *row_keys(recorded))


@PART.on(Project, "ServiceItemCompleted")
async def service_item_completed(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    await conn.execute(COMPLETE_PLAN_ITEM, recorded.stream_id, event.item, recorded.recorded_at)
    await conn.execute(TOUCH_PROJECT, *row_keys(recorded))


@PART.on(Project, "ServiceRecorded")
async def service_recorded(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    await conn.execute(
        INSERT_SERVICE,
        event.service_id,
        recorded.stream_id,
        event.kind.value,
        event.summary,
        event.occurred_on,
        event.officer_id,
        recorded.recorded_at,
        recorded.position,
    )
    await conn.execute(COUNT_SERVICE, *row_keys(recorded), event.occurred_on)
