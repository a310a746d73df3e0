"""Requests of older databases in the requests read model (rm_requests, owned by
`cso.projections.requests`): the `Request*` events recorded on projects' streams while
requests lived inside their project, until `cso carry-over-requests` moves each into its
own stream. Part of the projects projection, as the requests are; each row is written
through the requests read model's functions, so both kinds of event write alike: a raise
by its own statement, the changes folded into one write per row and batch (request_rows),
guarded by the project's versions while the row is not yet in its own stream.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from cso.domain.enums import RequestStatus
from cso.domain.project import Project
from cso.domain.project_records import deadlines
from cso.eventstore import RecordedEvent
from cso.projections import request_rows
from cso.projections.base import Projection
from cso.projections.requests import (
    Keys,
    acted_by,
    recount_project,
    write_extension,
    write_rating,
    write_redo,
    write_referral,
    write_resolution,
    write_return,
)

PART = Projection("projects")

# A request of an older database, raised on its project's stream ($3: the project version).
INSERT_LEGACY_REQUEST = """
INSERT INTO rm_requests (id, project_id, seq, category, description, status, raised_on, due_on,
                         overdue_from, version, created_at, updated_at, calendar_source,
                         calendar_version, due_soon_from, enterprise_id, open)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $3, $10, $10, $11, $12, $13,
        (SELECT enterprise_id FROM rm_projects WHERE id = $2), $14)
ON CONFLICT (id) DO NOTHING
"""


# The request's row ($1), and its project's enterprise ($2 the project's row).
PART.keyed_by(INSERT_LEGACY_REQUEST, on=(1, 2))


def legacy_keys(event: Any, recorded: RecordedEvent) -> Keys:
    """A request event of an older database, on its project's stream."""
    return event.request_id, recorded.version, recorded.recorded_at, request_rows.LEGACY


# -- the handlers ---------------------------------------------------------------------


@PART.on(Project, "RequestRaised")
async def legacy_raised(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """A new rm_requests row for a request raised on its project's stream (older databases)."""
    decided = deadlines(RequestStatus.OPEN, event.due_on)
    await conn.execute(
        INSERT_LEGACY_REQUEST,
        event.request_id,
        recorded.stream_id,
        recorded.version,
        event.category.value,
        event.description,
        RequestStatus.OPEN.value,
        event.raised_on,
        event.due_on,
        decided.overdue_from,
        recorded.recorded_at,
        # Requests raised before due dates counted working days carry no calendar.
        None if event.calendar_source is None else event.calendar_source.value,
        event.calendar_version,
        decided.due_soon_from,
        decided.open,
    )
    await recount_project(conn, recorded)


@PART.on(Project, "RequestReferred")
async def legacy_referred(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    """As `referred`, for a request on its project's stream."""
    await write_referral(conn, legacy_keys(event, recorded), list(event.departments))
    await recount_project(conn, recorded)


@PART.on(Project, "RequestReturned")
async def legacy_returned(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    """As `returned`, for a request on its project's stream."""
    await write_return(conn, legacy_keys(event, recorded), event.department, event.reason)
    await recount_project(conn, recorded)


@PART.on(Project, "RequestDeadlineExtended")
async def legacy_extended(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    """As `extended`, for a request on its project's stream."""
    await write_extension(conn, legacy_keys(event, recorded), event, acted_by(recorded))
    await recount_project(conn, recorded)


@PART.on(Project, "RequestResolved")
async def legacy_resolved(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    """As `resolved`, for a request on its project's stream."""
    # These events do not say the due date; a resolved request's deadlines do not read it.
    await write_resolution(conn, legacy_keys(event, recorded), event, event.resolved_on)
    await recount_project(conn, recorded)


@PART.on(Project, "RequestRated")
async def legacy_rated(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """As `rated`, for a request on its project's stream."""
    await write_rating(conn, legacy_keys(event, recorded), event.satisfaction)
    await recount_project(conn, recorded)


@PART.on(Project, "RequestRedone")
async def legacy_redone(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """As `redone`, for a request on its project's stream."""
    await write_redo(conn, legacy_keys(event, recorded), event.due_on)
    await recount_project(conn, recorded)
