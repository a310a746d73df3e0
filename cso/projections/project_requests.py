"""The projects projection, part three: requests (诉求), and the project's figures for them.

Each request row stores what the domain decides of it — `joint`, and `overdue_from` (the
first day it is overdue; NULL once resolved) — and every request event recounts the
project's unresolved requests and their earliest `overdue_from`, so `rm_projects` never
drifts from `rm_requests`. Whether a request or a project is overdue today is then the one
comparison `OVERDUE`, which every query that needs it uses.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from cso.domain.enums import RequestStatus
from cso.domain.project import Project
from cso.domain.project_records import due_soon_from, is_joint, overdue_from
from cso.eventstore import RecordedEvent
from cso.projections.base import Projection

PART = Projection("projects", tables=("rm_requests",))

# Overdue today, as `cso.domain.project_records.is_overdue` decides it: `{overdue_from}` is
# a stored overdue_from column (rm_requests' or rm_projects'), `{today}` today's parameter.
OVERDUE = "({overdue_from} IS NOT NULL AND {overdue_from} <= {today})"


def overdue(column: str, today: str) -> str:
    """`OVERDUE` over a column and a parameter, e.g. `overdue("r.overdue_from", "$1::date")`."""
    return OVERDUE.format(overdue_from=column, today=today)


INSERT_REQUEST = """
INSERT INTO rm_requests (id, project_id, seq, category, description, status, raised_on, due_on,
                         overdue_from, version, created_at, updated_at, calendar_source,
                         calendar_version, due_soon_from)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $3, $10, $10, $11, $12, $13)
ON CONFLICT (id) DO NOTHING
"""

# $1 request id, $2 the project's version, $3 updated_at: applies only a newer event.
REFER_REQUEST = """
UPDATE rm_requests SET status = $4, departments = $5, joint = $6, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

# $4 department, $5 reason: OPEN again, referred nowhere; the return kept with its time.
RETURN_REQUEST = """
UPDATE rm_requests
SET status = $6, departments = '{}', joint = false, version = $2, updated_at = $3,
    returns = returns || jsonb_build_array(
      jsonb_build_object('department', $4::text, 'reason', $5::text, 'at', $3::timestamptz))
WHERE id = $1 AND version < $2
"""

# $4 due_on, $5 overdue_from, $6 due_soon_from (as the domain decides them), $7 working
# days, $8 reason, $9 by: the new due date, the extension kept with its time.
EXTEND_REQUEST = """
UPDATE rm_requests
SET due_on = $4, overdue_from = $5, due_soon_from = $6, version = $2, updated_at = $3,
    extensions = extensions || jsonb_build_array(jsonb_build_object(
      'workingDays', $7::int, 'reason', $8::text, 'by', $9::uuid, 'at', $3::timestamptz))
WHERE id = $1 AND version < $2
"""

# A new answer is rated anew: the last rating (of a redone answer) is cleared.
RESOLVE_REQUEST = """
UPDATE rm_requests
SET satisfaction = NULL, status = $4, resolution = $5, resolved_on = $6, overdue_from = $7,
    due_soon_from = $7, on_time = $8, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

RATE_REQUEST = """
UPDATE rm_requests SET satisfaction = $4, rated = true, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

# $4 OPEN, $5 due_on, $6 overdue_from, $7 due_soon_from: a redo, due anew; the rating
# stays until the next answer. Its version is the RequestRated event's plus one, so it is
# applied after it.
REDO_REQUEST = """
UPDATE rm_requests
SET status = $4, departments = '{}', joint = false, resolution = NULL, resolved_on = NULL,
    on_time = NULL, due_on = $5, overdue_from = $6, due_soon_from = $7,
    redo_count = redo_count + 1, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

RECOUNT_PROJECT = """
UPDATE rm_projects p
SET open_requests = r.open, overdue_from = r.overdue_from, version = $2, updated_at = $3
FROM (SELECT count(*) AS open, min(overdue_from) AS overdue_from
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
        overdue_from(RequestStatus.OPEN, event.due_on),
        recorded.recorded_at,
        # Requests raised before due dates counted working days carry no calendar.
        None if event.calendar_source is None else event.calendar_source.value,
        event.calendar_version,
        due_soon_from(RequestStatus.OPEN, event.due_on),
    )
    await _recount(conn, recorded)


@PART.on(Project, "RequestReferred")
async def request_referred(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    departments = list(event.departments)
    await conn.execute(
        REFER_REQUEST,
        *_request_keys(event, recorded),
        RequestStatus.REFERRED.value,
        departments,
        is_joint(departments),
    )
    await _recount(conn, recorded)


def _open_deadlines(due_on: date) -> tuple[date | None, date | None]:
    """(overdue_from, due_soon_from) of an unresolved request due on `due_on`, as the
    domain decides them."""
    return overdue_from(RequestStatus.OPEN, due_on), due_soon_from(RequestStatus.OPEN, due_on)


@PART.on(Project, "RequestReturned")
async def request_returned(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    await conn.execute(
        RETURN_REQUEST,
        *_request_keys(event, recorded),
        event.department,
        event.reason,
        RequestStatus.OPEN.value,
    )
    await _recount(conn, recorded)


@PART.on(Project, "RequestDeadlineExtended")
async def request_deadline_extended(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    # Only an unresolved request is extended (the domain's rule), so OPEN stands for it.
    await conn.execute(
        EXTEND_REQUEST,
        *_request_keys(event, recorded),
        event.due_on,
        *_open_deadlines(event.due_on),
        event.working_days,
        event.reason,
        event.by,
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
        None,  # resolved: never overdue nor due soon (overdue_from, due_soon_from of RESOLVED)
        event.on_time,  # as the domain decided; None in events recorded before it did
    )
    await _recount(conn, recorded)


@PART.on(Project, "RequestRated")
async def request_rated(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    await conn.execute(RATE_REQUEST, *_request_keys(event, recorded), event.satisfaction)
    await _recount(conn, recorded)


@PART.on(Project, "RequestRedone")
async def request_redone(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    await conn.execute(
        REDO_REQUEST,
        *_request_keys(event, recorded),
        RequestStatus.OPEN.value,
        event.due_on,
        *_open_deadlines(event.due_on),
    )
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
