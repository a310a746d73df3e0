"""The projects projection, part three: requests (诉求), and the project's figures for them.

Every request event recounts the project's unresolved requests and their earliest due date,
so `rm_projects.open_requests` and `next_due_on` never drift from `rm_requests`.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from cso.domain.enums import RequestStatus
from cso.domain.project import Project
from cso.eventstore import RecordedEvent
from cso.projections.base import Projection

PART = Projection("projects")

INSERT_REQUEST = """
INSERT INTO rm_requests (id, project_id, seq, category, description, status, raised_on, due_on,
                         version, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $3, $9, $9)
ON CONFLICT (id) DO NOTHING
"""

# $1 request id, $2 the project's version, $3 updated_at: applies only a newer event.
REFER_REQUEST = """
UPDATE rm_requests SET status = $4, departments = $5, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

RESOLVE_REQUEST = """
UPDATE rm_requests
SET status = $4, resolution = $5, resolved_on = $6, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

RATE_REQUEST = """
UPDATE rm_requests SET satisfaction = $4, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

RECOUNT_PROJECT = """
UPDATE rm_projects p
SET open_requests = r.open, next_due_on = r.next_due, version = $2, updated_at = $3
FROM (SELECT count(*) AS open, min(due_on) AS next_due
        FROM rm_requests WHERE project_id = $1 AND status <> $4) AS r
WHERE p.id = $1 AND p.version < $2
"""


@PART.on(Project, "RequestRaised")
async def request_raised(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    await conn.execute(
        INSERT_REQUEST,
        event.request_id,
        recorded.stream_id,
        recorded.version,
        event.category.value,
        event.description,
        RequestStatus.OPEN.value,
        event.raised_on,
        event.due_on,
        recorded.recorded_at,
    )
    await _recount(conn, recorded)


@PART.on(Project, "RequestReferred")
async def request_referred(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    await conn.execute(
        REFER_REQUEST,
        *_request_keys(event, recorded),
        RequestStatus.REFERRED.value,
        list(event.departments),
    )
    await _recount(conn, recorded)


@PART.on(Project, "RequestResolved")
async def request_resolved(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    await conn.execute(
        RESOLVE_REQUEST,
        *_request_keys(event, recorded),
        RequestStatus.RESOLVED.value,
        event.resolution,
        event.resolved_on,
    )
    await _recount(conn, recorded)


@PART.on(Project, "RequestRated")
async def request_rated(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    await conn.execute(RATE_REQUEST, *_request_keys(event, recorded), event.satisfaction)
    await _recount(conn, recorded)


def _request_keys(event: Any, recorded: RecordedEvent) -> tuple[Any, ...]:
    return event.request_id, recorded.version, recorded.recorded_at


async def _recount(conn: asyncpg.Connection[Any], recorded: RecordedEvent) -> None:
    await conn.execute(
        RECOUNT_PROJECT,
        recorded.stream_id,
        recorded.version,
        recorded.recorded_at,
        RequestStatus.RESOLVED.value,
    )
