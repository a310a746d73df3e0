"""The requests read model (rm_requests): requests from projects and postings.

Handles the EnterpriseRequest aggregate's events and its project keeping their ids; the
`Request*` events an older database recorded on its projects' streams are in
`cso.projections.legacy_requests`, which writes the rows through the functions here.
Part of the projects projection (one runner, one order), because every request event also
recounts its project's open requests and their earliest `overdue_from` in `rm_projects`.

Each row stores what the domain decides of it — `open`, `joint`, `overdue_from` (the first
day it is overdue; NULL once resolved), `due_soon_from` (`project_records.deadlines`) — so
whether a request or a project is overdue today is the one comparison `OVERDUE`.

A handler describes what its event does to the row; a batch's changes to one row are
folded and written once (`cso.projections.request_rows`). The project's open requests are
recounted after the rows are written (`RECOUNT_PROJECTS_OF`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from cso.domain.enterprise_request import EnterpriseRequest
from cso.domain.enums import RequestSource, RequestStatus
from cso.domain.project import Project
from cso.domain.project_records import deadlines, is_joint
from cso.eventstore import RecordedEvent
from cso.eventstore.records import Metadata
from cso.projections import project_rows, request_rows
from cso.projections.base import Projection
from cso.projections.batch import defer

PART = Projection("projects", tables=("rm_requests",))

# Overdue today, as `cso.domain.project_records.is_overdue` decides it: `{overdue_from}` is
# a stored overdue_from column (rm_requests' or rm_projects'), `{today}` today's parameter.
OVERDUE = "({overdue_from} IS NOT NULL AND {overdue_from} <= {today})"


def overdue(column: str, today: str) -> str:
    """`OVERDUE` over a column and a parameter, e.g. `overdue("r.overdue_from", "$1::date")`."""
    return OVERDUE.format(overdue_from=column, today=today)


# Of the projects of requests ($1, a list of request ids; a posting's has none), how many
# requests are open and the earliest overdue_from. Deferred to the end of a batch's flush
# (batch.py), once per project however many of its requests the batch changed, after the
# requests' rows are written (request_rows). An event on the project's own stream also
# recounts with its row's change (project_rows), which the batch writer may write before
# the requests' rows: this corrects it, and writes only a project whose figures differ.
RECOUNT_PROJECTS_OF = f"""
UPDATE rm_projects p
SET open_requests = r.open, overdue_from = r.overdue_from
FROM (SELECT DISTINCT project_id AS id FROM rm_requests
       WHERE id = ANY($1::uuid[]) AND project_id IS NOT NULL) AS t
CROSS JOIN LATERAL ({project_rows.OPEN_REQUESTS_OF} t.id) AS r
WHERE p.id = t.id
  AND (p.open_requests, p.overdue_from) IS DISTINCT FROM (r.open, r.overdue_from)
"""


# (request id, the version that changed it, when, its guard: request_rows.OWN or LEGACY)
Keys = tuple[UUID, int, datetime, int]


def _own(recorded: RecordedEvent) -> Keys:
    """An EnterpriseRequest's event: the request is the stream."""
    return recorded.stream_id, recorded.version, recorded.recorded_at, request_rows.OWN


async def recount_project(conn: asyncpg.Connection[Any], recorded: RecordedEvent) -> None:
    """After an event on a project's stream: its version moves, its requests are recounted
    (with the batch's change to its row, project_rows)."""
    await project_rows.write(conn, recorded, recount=True)


async def _recount_project_of(conn: asyncpg.Connection[Any], request_id: UUID) -> None:
    """After a change to a request's `open` or `overdue_from` (a posting's has no project)."""
    await defer(conn, RECOUNT_PROJECTS_OF, request_id)


def acted_by(recorded: RecordedEvent) -> dict[str, str]:
    """Who caused the event, as their token named them (its metadata's actor): id, role,
    name. Kept where a rule records who acted, since a supervisor is no registered officer."""
    actor: dict[str, str] = Metadata.from_json(recorded.metadata or {}).as_json()["actor"]
    return actor


# -- what both kinds of event write (here and in legacy_requests) ---------------------


async def _write(conn: asyncpg.Connection[Any], keys: Keys, **sets: Any) -> None:
    """The event `keys` names sets `sets` (request_rows.SET_COLUMNS) on its request's row."""
    request_id, version, at, guard = keys
    await request_rows.write(conn, request_id, request_rows.guarded(guard, version, at, **sets))


async def write_referral(conn: asyncpg.Connection[Any], keys: Keys, departments: list[str]) -> None:
    """REFERRED to `departments` (lead first), joint when more than one."""
    await _write(
        conn,
        keys,
        status=RequestStatus.REFERRED.value,
        departments=departments,
        joint=is_joint(departments),
    )


async def write_return(
    conn: asyncpg.Connection[Any], keys: Keys, department: str, reason: str
) -> None:
    """OPEN again, referred nowhere; the return kept in `returns` with its time."""
    request_id, version, at, guard = keys
    change = request_rows.guarded(
        guard, version, at, status=RequestStatus.OPEN.value, departments=[], joint=False
    )
    change.returns.append((department, reason, at))
    await request_rows.write(conn, request_id, change)


async def write_extension(
    conn: asyncpg.Connection[Any], keys: Keys, event: Any, actor: dict[str, str] | None
) -> None:
    """The new due date and its deadlines; the extension kept in `extensions` with its time
    and `actor`."""
    request_id, version, at, guard = keys
    # Only an unresolved request is extended (the domain's rule), so OPEN stands for it.
    decided = deadlines(RequestStatus.OPEN, event.due_on)
    change = request_rows.guarded(
        guard,
        version,
        at,
        due_on=event.due_on,
        overdue_from=decided.overdue_from,
        due_soon_from=decided.due_soon_from,
    )
    change.extensions.append(
        (event.working_days, event.reason, event.by, at, request_rows.actor_json(actor))
    )
    await request_rows.write(conn, request_id, change)
    await _recount_project_of(conn, request_id)


async def write_resolution(
    conn: asyncpg.Connection[Any], keys: Keys, event: Any, due_on: date
) -> None:
    """RESOLVED with the event's resolution and day, and `on_time` as the domain decided;
    a new answer is rated anew (the last rating, of a redone answer, is cleared)."""
    decided = deadlines(RequestStatus.RESOLVED, due_on)
    await _write(
        conn,
        keys,
        satisfaction=None,
        status=RequestStatus.RESOLVED.value,
        resolution=event.resolution,
        resolved_on=event.resolved_on,
        open=decided.open,
        overdue_from=decided.overdue_from,
        due_soon_from=decided.due_soon_from,
        on_time=event.on_time,  # as the domain decided; None in events recorded before it did
    )
    await _recount_project_of(conn, keys[0])


async def write_rating(conn: asyncpg.Connection[Any], keys: Keys, satisfaction: int) -> None:
    """The satisfaction (1–5), and that the request was rated."""
    await _write(conn, keys, satisfaction=satisfaction, rated=True)


async def write_redo(conn: asyncpg.Connection[Any], keys: Keys, due_on: date) -> None:
    """OPEN again, due anew on `due_on`, referred nowhere, the redo counted; the rating
    stays until the next answer."""
    request_id, version, at, guard = keys
    decided = deadlines(RequestStatus.OPEN, due_on)
    change = request_rows.guarded(
        guard,
        version,
        at,
        status=RequestStatus.OPEN.value,
        departments=[],
        joint=False,
        resolution=None,
        resolved_on=None,
        on_time=None,
        due_on=due_on,
        open=decided.open,
        overdue_from=decided.overdue_from,
        due_soon_from=decided.due_soon_from,
    )
    change.redos = 1
    await request_rows.write(conn, request_id, change)
    await _recount_project_of(conn, request_id)


# -- EnterpriseRequest -------------------------------------------------------------------


@PART.on(EnterpriseRequest, "Raised")
async def raised(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """A new row of rm_requests: the request OPEN, its due date and deadlines as decided
    (`seq` is set when its project keeps it). A carried-over request's row is there already
    and stays as it is."""
    decided = deadlines(RequestStatus.OPEN, event.due_on)
    on_project = event.source is RequestSource.PROJECT
    row = request_rows.Raised(
        version=recorded.version,
        created_at=recorded.recorded_at,
        source=event.source.value,
        project_id=event.case_id if on_project else None,
        posting_id=None if on_project else event.case_id,
        enterprise_id=event.enterprise_id,
        category=event.category.value,
        description=event.description,
        status=RequestStatus.OPEN.value,
        raised_on=event.received_on,
        due_on=event.due_on,
        calendar_source=None if event.calendar_source is None else event.calendar_source.value,
        calendar_version=event.calendar_version,
        open=decided.open,
        overdue_from=decided.overdue_from,
        due_soon_from=decided.due_soon_from,
    )
    await request_rows.write(conn, recorded.stream_id, request_rows.raised(row))
    if on_project:
        await _recount_project_of(conn, recorded.stream_id)


@PART.on(EnterpriseRequest, "CarriedOver")
async def carried_over(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """The row of a request moved into its own stream takes its stream's version and state
    as the project had it; its returns and extensions stay as projected."""
    request_id, version, at, _ = _own(recorded)
    decided = deadlines(event.status, event.due_on)
    change = request_rows.guarded(
        request_rows.CARRY,
        version,
        at,
        status=event.status.value,
        departments=list(event.departments),
        joint=is_joint(event.departments),
        due_on=event.due_on,
        resolution=event.resolution,
        resolved_on=event.resolved_on,
        satisfaction=event.satisfaction,
        open=decided.open,
        overdue_from=decided.overdue_from,
        due_soon_from=decided.due_soon_from,
    )
    change.redo_base, change.carried = event.redo_count, True
    await request_rows.write(conn, request_id, change)
    await _recount_project_of(conn, request_id)


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


@PART.on(EnterpriseRequest, "Resolved")
async def resolved(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """Stores RESOLVED, the resolution and day, and `on_time` as the domain decided it."""
    await write_resolution(conn, _own(recorded), event, event.due_on)


@PART.on(EnterpriseRequest, "Rated")
async def rated(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """Stores the satisfaction (1–5) and that the request was rated."""
    await write_rating(conn, _own(recorded), event.satisfaction)


@PART.on(EnterpriseRequest, "Redone")
async def redone(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """Stores the request OPEN again, due anew, its redo counted."""
    await write_redo(conn, _own(recorded), event.due_on)


# -- the project keeping its open requests' ids --------------------------------------------


@PART.on(Project, "RequestOpened", "RequestCarriedOver")
async def request_kept(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """Orders the project's requests by the version that first kept each (`seq`), and
    stores its open-request count."""
    await request_rows.write(conn, event.request_id, request_rows.keep(recorded.version))
    await recount_project(conn, recorded)


@PART.on(Project, "RequestSettled")
async def request_settled(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    """Stores the project's open-request count after it forgot an id."""
    await recount_project(conn, recorded)
