"""The requests read model (rm_requests): requests from projects and postings.

Handles the EnterpriseRequest aggregate's events and its project keeping their ids; the
`Request*` events an older database recorded on its projects' streams are in
`cso.projections.legacy_requests`, which writes the rows through the statements here.
Part of the projects projection (one runner, one order), because every request event also
recounts its project's open requests and their earliest `overdue_from` in `rm_projects`.

Each row stores what the domain decides of it — `open`, `joint`, `overdue_from` (the first
day it is overdue; NULL once resolved), `due_soon_from` (`project_records.deadlines`) — so
whether a request or a project is overdue today is the one comparison `OVERDUE`.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import asyncpg

from cso.domain.enterprise_request import EnterpriseRequest
from cso.domain.enums import RequestSource, RequestStatus
from cso.domain.project import Project
from cso.domain.project_records import deadlines, is_joint
from cso.eventstore import RecordedEvent
from cso.eventstore.records import Metadata
from cso.projections import project_rows
from cso.projections.base import Projection
from cso.projections.batch import defer

PART = Projection("projects", tables=("rm_requests",))

# Overdue today, as `cso.domain.project_records.is_overdue` decides it: `{overdue_from}` is
# a stored overdue_from column (rm_requests' or rm_projects'), `{today}` today's parameter.
OVERDUE = "({overdue_from} IS NOT NULL AND {overdue_from} <= {today})"


def overdue(column: str, today: str) -> str:
    """`OVERDUE` over a column and a parameter, e.g. `overdue("r.overdue_from", "$1::date")`."""
    return OVERDUE.format(overdue_from=column, today=today)


# An EnterpriseRequest raised ($2 its version, 1); `seq` is set when its project keeps it.
INSERT_REQUEST = """
INSERT INTO rm_requests (id, version, created_at, updated_at, source, project_id, posting_id,
                         enterprise_id, category, description, status, raised_on, due_on,
                         calendar_source, calendar_version, open, overdue_from, due_soon_from,
                         own_stream)
VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, true)
ON CONFLICT (id) DO NOTHING
"""

# A request carried over from its project into its own stream: its state as the project
# had it ($4..), the version its own from now on. Returns and extensions stay as projected.
CARRY_OVER_REQUEST = """
UPDATE rm_requests
SET status = $4, departments = $5, joint = $6, due_on = $7, resolution = $8,
    resolved_on = $9, satisfaction = $10, redo_count = $11, open = $12, overdue_from = $13,
    due_soon_from = $14, version = $2, updated_at = $3, own_stream = true
WHERE id = $1 AND (NOT own_stream OR version < $2)
"""

# The project kept the request's id ($1 request, $2 the project version): it orders the
# project's list of requests.
KEEP_REQUEST = "UPDATE rm_requests SET seq = COALESCE(seq, $2) WHERE id = $1"

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
# days, $8 reason, $9 by, $10 who acted (the event's metadata actor, JSON): the new due
# date, the extension kept with its time.
EXTEND_REQUEST = """
UPDATE rm_requests
SET due_on = $4, overdue_from = $5, due_soon_from = $6, version = $2, updated_at = $3,
    extensions = extensions || jsonb_build_array(jsonb_build_object(
      'workingDays', $7::int, 'reason', $8::text, 'by', $9::uuid, 'at', $3::timestamptz,
      'actor', $10::jsonb))
WHERE id = $1 AND version < $2
"""

# A new answer is rated anew: the last rating (of a redone answer) is cleared.
RESOLVE_REQUEST = """
UPDATE rm_requests
SET satisfaction = NULL, status = $4, resolution = $5, resolved_on = $6, open = $7,
    overdue_from = $8, due_soon_from = $9, on_time = $10, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

RATE_REQUEST = """
UPDATE rm_requests SET satisfaction = $4, rated = true, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

# $4 OPEN, $5 due_on, $6..$8 open, overdue_from, due_soon_from: a redo, due anew; the rating
# stays until the next answer. Its version is the RequestRated event's plus one, so it is
# applied after it.
REDO_REQUEST = """
UPDATE rm_requests
SET status = $4, departments = '{}', joint = false, resolution = NULL, resolved_on = NULL,
    on_time = NULL, due_on = $5, open = $6, overdue_from = $7, due_soon_from = $8,
    redo_count = redo_count + 1, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

# Of the projects of requests ($1, a list of request ids; a posting's has none), how many
# requests are open and the earliest overdue_from. Deferred to the end of a batch's flush
# (batch.py), once per project however many of its requests the batch changed. (An event on
# the project's own stream recounts with its row's change: project_rows.)
RECOUNT_PROJECTS_OF = f"""
UPDATE rm_projects p
SET open_requests = r.open, overdue_from = r.overdue_from
FROM (SELECT DISTINCT project_id AS id FROM rm_requests
       WHERE id = ANY($1::uuid[]) AND project_id IS NOT NULL) AS t
CROSS JOIN LATERAL ({project_rows.OPEN_REQUESTS_OF} t.id) AS r
WHERE p.id = t.id
"""

# Each touches only the request's row ($1); the project's count is deferred (above).
PART.keyed_by(
    INSERT_REQUEST,
    CARRY_OVER_REQUEST,
    KEEP_REQUEST,
    REFER_REQUEST,
    RETURN_REQUEST,
    EXTEND_REQUEST,
    RESOLVE_REQUEST,
    RATE_REQUEST,
    REDO_REQUEST,
)


Keys = tuple[Any, ...]  # (request id, the version that changed it, when)


def _own(recorded: RecordedEvent) -> Keys:
    """An EnterpriseRequest's event: the request is the stream."""
    return recorded.stream_id, recorded.version, recorded.recorded_at


async def recount_project(conn: asyncpg.Connection[Any], recorded: RecordedEvent) -> None:
    """After an event on a project's stream: its version moves, its requests are recounted
    (with the batch's change to its row, project_rows)."""
    await project_rows.write(conn, recorded, recount=True)


async def _recount_project_of(conn: asyncpg.Connection[Any], request_id: Any) -> None:
    """After an event on a request's own stream (a project's; a posting has no row)."""
    await defer(conn, RECOUNT_PROJECTS_OF, request_id)


# -- what both kinds of event write (here and in legacy_requests) ---------------------


async def write_referral(conn: asyncpg.Connection[Any], keys: Keys, departments: list[str]) -> None:
    """REFERRED to `departments` (lead first), joint when more than one."""
    await conn.execute(
        REFER_REQUEST, *keys, RequestStatus.REFERRED.value, departments, is_joint(departments)
    )


async def write_return(
    conn: asyncpg.Connection[Any], keys: Keys, department: str, reason: str
) -> None:
    """OPEN again, referred nowhere; the return kept in `returns`."""
    await conn.execute(RETURN_REQUEST, *keys, department, reason, RequestStatus.OPEN.value)


def acted_by(recorded: RecordedEvent) -> dict[str, str]:
    """Who caused the event, as their token named them (its metadata's actor): id, role,
    name. Kept where a rule records who acted, since a supervisor is no registered officer."""
    actor: dict[str, str] = Metadata.from_json(recorded.metadata or {}).as_json()["actor"]
    return actor


async def write_extension(
    conn: asyncpg.Connection[Any], keys: Keys, event: Any, actor: dict[str, str] | None
) -> None:
    """The new due date and its deadlines; the extension kept in `extensions` with `actor`."""
    # Only an unresolved request is extended (the domain's rule), so OPEN stands for it.
    decided = deadlines(RequestStatus.OPEN, event.due_on)
    await conn.execute(
        EXTEND_REQUEST,
        *keys,
        event.due_on,
        decided.overdue_from,
        decided.due_soon_from,
        event.working_days,
        event.reason,
        event.by,
        None if actor is None else json.dumps(actor),
    )


async def write_resolution(
    conn: asyncpg.Connection[Any], keys: Keys, event: Any, due_on: date
) -> None:
    """RESOLVED with the event's resolution and day, and `on_time` as the domain decided."""
    decided = deadlines(RequestStatus.RESOLVED, due_on)
    await conn.execute(
        RESOLVE_REQUEST,
        *keys,
        RequestStatus.RESOLVED.value,
        event.resolution,
        event.resolved_on,
        decided.open,
        decided.overdue_from,
        decided.due_soon_from,
        event.on_time,  # as the domain decided; None in events recorded before it did
    )


async def write_redo(conn: asyncpg.Connection[Any], keys: Keys, due_on: date) -> None:
    """OPEN again, due anew on `due_on`, the redo counted."""
    decided = deadlines(RequestStatus.OPEN, due_on)
    await conn.execute(
        REDO_REQUEST,
        *keys,
        RequestStatus.OPEN.value,
        due_on,
        decided.open,
        decided.overdue_from,
        decided.due_soon_from,
    )


# -- EnterpriseRequest -------------------------------------------------------------------


@PART.on(EnterpriseRequest, "Raised")
async def raised(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """A new row of rm_requests: the request OPEN, its due date and deadlines as decided."""
    decided = deadlines(RequestStatus.OPEN, event.due_on)
    on_project = event.source is RequestSource.PROJECT
    await conn.execute(
        INSERT_REQUEST,
        *_own(recorded),
        event.source.value,
        event.case_id if on_project else None,
        None if on_project else event.case_id,
        event.enterprise_id,
        event.category.value,
        event.description,
        RequestStatus.OPEN.value,
        event.received_on,
        event.due_on,
        None if event.calendar_source is None else event.calendar_source.value,
        event.calendar_version,
        decided.open,
        decided.overdue_from,
        decided.due_soon_from,
    )


@PART.on(EnterpriseRequest, "CarriedOver")
async def carried_over(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """The row of a request moved into its own stream takes its stream's version and state."""
    decided = deadlines(event.status, event.due_on)
    await conn.execute(
        CARRY_OVER_REQUEST,
        *_own(recorded),
        event.status.value,
        list(event.departments),
        is_joint(event.departments),
        event.due_on,
        event.resolution,
        event.resolved_on,
        event.satisfaction,
        event.redo_count,
        decided.open,
        decided.overdue_from,
        decided.due_soon_from,
    )


@PART.on(EnterpriseRequest, "Referred")
async def referred(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """Stores the departments it is referred to (lead first) and REFERRED."""
    await write_referral(conn, _own(recorded), list(event.departments))


@PART.on(EnterpriseRequest, "Returned")
async def returned(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """Stores the request OPEN again, referred nowhere, and the return (`returns`)."""
    await write_return(conn, _own(recorded), event.department, event.reason)


@PART.on(EnterpriseRequest, "DeadlineExtended")
async def extended(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """Stores the new due date and the extension, with who made it (`extensions`)."""
    await write_extension(conn, _own(recorded), event, acted_by(recorded))
    await _recount_project_of(conn, recorded.stream_id)


@PART.on(EnterpriseRequest, "Resolved")
async def resolved(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """Stores RESOLVED, the resolution and day, and `on_time` as the domain decided it."""
    await write_resolution(conn, _own(recorded), event, event.due_on)
    await _recount_project_of(conn, recorded.stream_id)


@PART.on(EnterpriseRequest, "Rated")
async def rated(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """Stores the satisfaction (1–5) and that the request was rated."""
    await conn.execute(RATE_REQUEST, *_own(recorded), event.satisfaction)


@PART.on(EnterpriseRequest, "Redone")
async def redone(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """Stores the request OPEN again, due anew, its redo counted."""
    await write_redo(conn, _own(recorded), event.due_on)
    await _recount_project_of(conn, recorded.stream_id)


# -- the project keeping its open requests' ids --------------------------------------------


@PART.on(Project, "RequestOpened", "RequestCarriedOver")
async def request_kept(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """Stores the project's open-request count after it kept an id."""
    await conn.execute(KEEP_REQUEST, event.request_id, recorded.version)
    await recount_project(conn, recorded)


@PART.on(Project, "RequestSettled")
async def request_settled(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    """Stores the project's open-request count after it forgot an id."""
    await recount_project(conn, recorded)
