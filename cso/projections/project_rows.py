"""A project's row in rm_projects, written once per batch: its events' changes folded.

Nearly every event on a project's stream changes its rm_projects row (a service counted, a
milestone's stage, a CSO, the version). Written one statement per event, a project with
twenty events in a batch left twenty versions of its row in the transaction, and most of
them, no longer fitting the row's page, a new entry in each of the table's eleven indexes.
The handlers instead describe what their event does to the row (`RowChange`), the batch
writer folds a batch's changes per project in event order (`ROW.fold`) and writes each
project's row once, after the batch's other writes (batch.py, `merge`).

Every figure a change carries is the one the domain decided (the stage above all); the
statement only stores them, or adds the services and terms the batch counted. The open
requests are recounted from rm_requests when an event asks for it; the request rows a batch
folds (request_rows) may be written after this row, so a change to a request's `open` or
`overdue_from` also defers a recount that runs after both (requests.RECOUNT_PROJECTS_OF).

Applied once: the row is written only if its version is below the batch's first event on
the project's stream. A project's events come in version order and each batch follows the
last one's checkpoint, so either every one of them is new to the row or, were a batch ever
applied twice, none is — as each event's own `version < $2` guard decided before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from cso.eventstore import RecordedEvent
from cso.projections.batch import merge

# A project's open requests and the earliest day one of them is overdue from (each request's
# own, as the domain decided it), for the project whose id follows this text.
OPEN_REQUESTS_OF = """SELECT count(*)::int AS open, min(overdue_from) AS overdue_from
        FROM rm_requests WHERE open AND project_id ="""

# $1 the project, $2 version and $3 updated_at of its last event, $4 the version of its
# first; $5 services recorded, $6 their latest day; $7 latest milestone, $8 stage, $9 the
# start of construction; $10 CSO, $11 since, $12 terms begun; $13 closed at, $14 outcome,
# $15 close reason; $16 whether to recount the open requests.
UPDATE_PROJECT_ROW = f"""
UPDATE rm_projects p
SET version = $2, updated_at = $3,
    service_count = p.service_count + $5::int,
    latest_service_on = greatest(p.latest_service_on, $6::date),
    latest_milestone = coalesce($7::text, p.latest_milestone),
    stage = coalesce($8::text, p.stage),
    construction_started_on = coalesce($9::date, p.construction_started_on),
    cso_id = CASE WHEN $12::int > 0 THEN $10::uuid ELSE p.cso_id END,
    cso_since = CASE WHEN $12::int > 0 THEN $11::date ELSE p.cso_since END,
    cso_terms = p.cso_terms + $12::int,
    closed = p.closed OR $13::timestamptz IS NOT NULL,
    closed_at = coalesce($13::timestamptz, p.closed_at),
    outcome = CASE WHEN $13::timestamptz IS NULL THEN p.outcome ELSE $14::text END,
    close_reason = CASE WHEN $13::timestamptz IS NULL THEN p.close_reason ELSE $15::text END,
    open_requests = CASE WHEN $16::boolean THEN r.open ELSE p.open_requests END,
    overdue_from = CASE WHEN $16::boolean THEN r.overdue_from ELSE p.overdue_from END
FROM ({OPEN_REQUESTS_OF} $1 AND $16::boolean) AS r
WHERE p.id = $1 AND p.version < $4
"""


@dataclass(slots=True)
class RowChange:
    """What one event (or, folded, a batch's events in order) does to a project's row.

    `first_version`/`version`/`updated_at`: the first and last event's version, the last
    one's time. `services` recorded (counted), `latest_service_on` the latest day of them.
    `latest_milestone`, `stage`, `construction_started_on`: set when not None, the last
    set wins. `cso_id`, `cso_since`: the last term begun; `cso_terms` terms begun.
    `closed_at` (with `outcome`, `close_reason`): set when the project closed. `recount`:
    recount its open requests."""

    first_version: int
    version: int
    updated_at: datetime
    services: int = 0
    latest_service_on: date | None = None
    latest_milestone: str | None = None
    stage: str | None = None
    construction_started_on: date | None = None
    cso_id: UUID | None = None
    cso_since: date | None = None
    cso_terms: int = 0
    closed_at: datetime | None = None
    outcome: str | None = None
    close_reason: str | None = None
    recount: bool = False


def change(recorded: RecordedEvent, **fields: Any) -> RowChange:
    """`recorded`'s change to its project's row: its version and time, and `fields`."""
    return RowChange(recorded.version, recorded.version, recorded.recorded_at, **fields)


class ProjectRow:
    """The fold of a project's row changes (batch.Fold)."""

    def statement(self, key: UUID, folded: RowChange) -> tuple[str, tuple[Any, ...]]:
        return UPDATE_PROJECT_ROW, self.arguments(key, folded)

    def fold(self, earlier: RowChange | None, later: RowChange) -> RowChange:
        if earlier is None:
            return later
        earlier.version, earlier.updated_at = later.version, later.updated_at
        earlier.services += later.services
        if later.latest_service_on is not None and (
            earlier.latest_service_on is None or later.latest_service_on > earlier.latest_service_on
        ):
            earlier.latest_service_on = later.latest_service_on
        if later.latest_milestone is not None:
            earlier.latest_milestone = later.latest_milestone
        if later.stage is not None:
            earlier.stage = later.stage
        if later.construction_started_on is not None:
            earlier.construction_started_on = later.construction_started_on
        if later.cso_terms:
            earlier.cso_id, earlier.cso_since = later.cso_id, later.cso_since
            earlier.cso_terms += later.cso_terms
        if later.closed_at is not None:
            earlier.closed_at, earlier.outcome = later.closed_at, later.outcome
            earlier.close_reason = later.close_reason
        earlier.recount = earlier.recount or later.recount
        return earlier

    def arguments(self, key: UUID, folded: RowChange) -> tuple[Any, ...]:
        c = folded
        return (
            *(key, c.version, c.updated_at, c.first_version),
            *(c.services, c.latest_service_on),
            *(c.latest_milestone, c.stage, c.construction_started_on),
            *(c.cso_id, c.cso_since, c.cso_terms),
            *(c.closed_at, c.outcome, c.close_reason, c.recount),
        )


ROW = ProjectRow()


async def write(conn: Any, recorded: RecordedEvent, **fields: Any) -> None:
    """Record that `recorded` (an event on a project's stream) changes the project's row
    by `fields` (RowChange's), folded with the batch's other changes to it."""
    await merge(conn, ROW, recorded.stream_id, change(recorded, **fields))
