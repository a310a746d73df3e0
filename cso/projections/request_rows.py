"""A request's row in rm_requests, written once per batch: its events' changes folded.

A request is raised, kept by its project, referred, resolved and rated, most of it within
one batch while the runner catches up (half of the demo's requests see all their events
within 25 positions of the log). Written one statement per event, each of its rows left
five or six versions of itself in the transaction and, as most of those change an indexed
column (seq, departments, overdue_from), new entries in the table's seven indexes. The
handlers (requests.py, legacy_requests.py) instead describe what their event does to the
row (`RequestChange`), the batch writer folds a batch's changes per request in event order
(`ROW.fold`) and writes each request's row once, after the batch's other writes (batch.py,
`merge`): a request raised in the batch is inserted as the batch leaves it.

Every value a change carries is the one the domain decided (deadlines, on_time, joint);
the statement only stores them, appends the returns and extensions the batch recorded and
adds the redos it counted. One statement does both cases: its INSERT of the raised row
(`ON CONFLICT DO NOTHING`, as a Raised always did: the row of a carried-over request is
already there) and, when that inserted nothing, the UPDATE of the existing row by every
change of the batch other than the raise.

Applied once: the UPDATE applies only if the row passes the guard of the batch's first
guarded change — `version < first` for an event of the request's own stream; for one of an
older database's project stream also `NOT own_stream` (those versions are the project's,
and a carried-over row has left them); for a carry-over `NOT own_stream OR version <
first`. A request's events come in order and each batch follows the last one's
checkpoint, so either all of them are new to the row or, were a batch applied twice, none
is. A project keeping the request's id (`keep`) sets `seq` once (`COALESCE`) and has no
guard of its own.

A request's own events follow its Raised in the log (its stream begins with it), and a use
case appends the project's keep of the id after it. The district seed's batched appends
may put the keep first: a keep before its raise does nothing, alone in its batch (no row
yet) or folded into the raise, so that the row never depends on where a batch ends; its
`seq` stays NULL and the request sorts after its project's others (REQUEST_ORDER). An
older database's RequestRaised stays a statement of its own (legacy_requests), sent before
the folded writes, as its events come before the request's.

The batch writer may write a project's row (project_rows), which recounts its open
requests, before the requests' rows: a change to a request's `open` or `overdue_from`
therefore also defers the project's recount (requests.RECOUNT_PROJECTS_OF), which runs
after both.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter
from typing import Any
from uuid import UUID

from cso.projections.batch import merge

# What an event may set a column to, as the domain decided it: (column, SQL type), the
# n-th being bit 2**n of the statement's mask.
SET_COLUMNS: tuple[tuple[str, str], ...] = (
    ("status", "text"),
    ("departments", "text[]"),
    ("joint", "boolean"),
    ("due_on", "date"),
    ("resolution", "text"),
    ("resolved_on", "date"),
    ("satisfaction", "int"),
    ("rated", "boolean"),
    ("on_time", "boolean"),
    ("open", "boolean"),
    ("overdue_from", "date"),
    ("due_soon_from", "date"),
)
BIT = {column: 1 << n for n, (column, _) in enumerate(SET_COLUMNS)}

# Which guard the first guarded change of a fold stands for (see the module's docstring).
NO_GUARD, OWN, LEGACY, CARRY = 0, 1, 2, 3

# The raised row's own values and their SQL types, $2 to $17 of the statement, in this order.
RAISED_TYPES = dict(
    version="int",
    created_at="timestamptz",
    source="text",
    project_id="uuid",
    posting_id="uuid",
    enterprise_id="uuid",
    category="text",
    description="text",
    status="text",
    raised_on="date",
    due_on="date",
    calendar_source="text",
    calendar_version="text",
    open="boolean",
    overdue_from="date",
    due_soon_from="date",
)
RAISED_COLUMNS = tuple(RAISED_TYPES)
# Columns a raised row starts without an event's value.
STARTS_AS = dict(
    departments="'{}'::text[]",
    joint="false",
    resolution="NULL::text",
    resolved_on="NULL::date",
    satisfaction="NULL::int",
    rated="false",
    on_time="NULL::boolean",
)

_raised = {column: 2 + n for n, column in enumerate(RAISED_COLUMNS)}  # column -> $n
RAISE = 1 + len(RAISED_COLUMNS) + 1  # $18: whether the batch raised the request
UPDATE, GUARD, FIRST, VERSION, UPDATED_AT, MASK = range(RAISE + 1, RAISE + 7)  # $19..$24
_set = {column: MASK + 1 + n for n, (column, _) in enumerate(SET_COLUMNS)}  # column -> $n
REDO_BASE, REDOS, CARRIED, SEQ = range(MASK + 1 + len(SET_COLUMNS), MASK + 5 + len(SET_COLUMNS))
RETURNS = SEQ + 1  # three arrays: department, reason, at
EXTENSIONS = RETURNS + 3  # five arrays: working days, reason, by, at, actor (JSON)


def _set_value(column: str, otherwise: str) -> str:
    sql_type = dict(SET_COLUMNS)[column]
    return (
        f"CASE WHEN ${MASK}::int & {BIT[column]} <> 0 THEN ${_set[column]}::{sql_type} "
        f"ELSE {otherwise} END"
    )


# The returns and the extensions a batch recorded, appended to `{0}` (the subquery runs
# only when there are some).
_RETURNS_ADDED = f"""CASE WHEN cardinality(${RETURNS}::text[]) = 0 THEN {{0}} ELSE {{0}} || (
    SELECT jsonb_agg(jsonb_build_object('department', d, 'reason', w, 'at', a) ORDER BY n)
    FROM unnest(${RETURNS}::text[], ${RETURNS + 1}::text[], ${RETURNS + 2}::timestamptz[])
      WITH ORDINALITY AS u(d, w, a, n)) END"""

_EXTENSIONS_ADDED = f"""CASE WHEN cardinality(${EXTENSIONS}::int[]) = 0 THEN {{0}} ELSE {{0}} || (
    SELECT jsonb_agg(jsonb_build_object(
      'workingDays', k, 'reason', w, 'by', b, 'at', a, 'actor', j) ORDER BY n)
    FROM unnest(${EXTENSIONS}::int[], ${EXTENSIONS + 1}::text[], ${EXTENSIONS + 2}::uuid[],
                ${EXTENSIONS + 3}::timestamptz[], ${EXTENSIONS + 4}::jsonb[])
      WITH ORDINALITY AS u(k, w, b, a, j, n)) END"""


def _raised_value(column: str) -> str:
    return f"${_raised[column]}::{RAISED_TYPES[column]}"


def _started(column: str) -> str:
    """What a raised row holds in `column` before any event set it."""
    return _raised_value(column) if column in _raised else STARTS_AS[column]


_INSERTED: dict[str, str] = {
    "id": "$1::uuid",
    "version": f"coalesce(${VERSION}::int, {_raised_value('version')})",
    "created_at": _raised_value("created_at"),
    "updated_at": f"coalesce(${UPDATED_AT}::timestamptz, {_raised_value('created_at')})",
    **{c: _raised_value(c) for c in RAISED_COLUMNS if c not in ("version", "created_at")},
    **{
        column: _set_value(
            column, _raised_value(column) if column in _raised else STARTS_AS[column]
        )
        for column, _ in SET_COLUMNS
    },
    "redo_count": f"coalesce(${REDO_BASE}::int, 0) + ${REDOS}::int",
    "own_stream": "true",
    "seq": f"${SEQ}::int",
    "returns": _RETURNS_ADDED.format("'[]'::jsonb"),
    "extensions": _EXTENSIONS_ADDED.format("'[]'::jsonb"),
}

_UPDATED: dict[str, str] = {
    **{column: _set_value(column, f"r.{column}") for column, _ in SET_COLUMNS},
    "version": f"coalesce(${VERSION}::int, r.version)",
    "updated_at": f"coalesce(${UPDATED_AT}::timestamptz, r.updated_at)",
    "redo_count": f"coalesce(${REDO_BASE}::int, r.redo_count) + ${REDOS}::int",
    "own_stream": f"r.own_stream OR ${CARRIED}::boolean",
    "seq": f"coalesce(r.seq, ${SEQ}::int)",
    "returns": _RETURNS_ADDED.format("r.returns"),
    "extensions": _EXTENSIONS_ADDED.format("r.extensions"),
}

_NL = ",\n    "

# Whether the existing row `r` takes the batch's changes: the guard of its first guarded one.
_GUARD_PASSES = f"""CASE ${GUARD}::int
        WHEN {OWN} THEN r.version < ${FIRST}::int
        WHEN {LEGACY} THEN NOT r.own_stream AND r.version < ${FIRST}::int
        WHEN {CARRY} THEN NOT r.own_stream OR r.version < ${FIRST}::int
        ELSE true END"""

_SET_UPDATED = _NL.join(f"{column} = {value}" for column, value in _UPDATED.items())

# A request the batch raised ($1 its id): its row inserted as the batch leaves it; if the
# row was there already, updated by the batch's other changes instead (guarded).
RAISE_REQUEST_ROW = f"""
INSERT INTO rm_requests AS r ({", ".join(_INSERTED)})
SELECT {", ".join(_INSERTED.values())}
WHERE ${RAISE}::boolean
ON CONFLICT (id) DO UPDATE
SET {_SET_UPDATED}
WHERE ${UPDATE}::boolean AND {_GUARD_PASSES}
"""


def _without_raise(query: str) -> str:
    """`query` numbered for arguments without the raised row's ($2 to `RAISE`): an
    argument that no statement's text names would have no type for the server."""
    return re.sub(
        r"\$(\d+)", lambda m: f"${int(m[1]) - (RAISE - 1) if int(m[1]) > RAISE else m[1]}", query
    )


# A request the batch changed but did not raise ($1 its id; the arguments after the raised
# row's): the existing row updated by the batch's changes (guarded). Apart, the two cost
# the server about 34 and 35 us a row, where one statement doing either took 50-58.
UPDATE_REQUEST_ROW = _without_raise(f"""
UPDATE rm_requests r
SET {_SET_UPDATED}
WHERE r.id = $1 AND ${UPDATE}::boolean AND {_GUARD_PASSES}
""")


@dataclass(slots=True)
class Raised:
    """A request's row as its Raised event writes it (`RAISED_COLUMNS`, in that order)."""

    version: int
    created_at: datetime
    source: str
    project_id: UUID | None
    posting_id: UUID | None
    enterprise_id: UUID | None
    category: str
    description: str
    status: str
    raised_on: date
    due_on: date
    calendar_source: str | None
    calendar_version: str | None
    open: bool
    overdue_from: date | None
    due_soon_from: date | None


@dataclass(slots=True)
class RequestChange:
    """What one event (or, folded, a batch's events in order) does to a request's row.

    `raised`: the row, when the event (the batch) raised the request. `guard` and
    `first_version`: the first guarded event's guard (OWN, LEGACY, CARRY; NO_GUARD when
    none) and version; `version`/`updated_at`: the last one's (None: none). `sets`: column
    → value (`SET_COLUMNS`), the last one set wins. `redo_base`: a redo count set outright
    (a carry-over), `redos` the redos counted after it. `returns`: (department, reason,
    at) appended; `extensions`: (working days, reason, by, at, actor JSON or None)
    appended. `carried`: now in its own stream. `seq`: the project version that kept its
    id first. `updates`: anything but the raise."""

    raised: Raised | None = None
    guard: int = NO_GUARD
    first_version: int | None = None
    version: int | None = None
    updated_at: datetime | None = None
    sets: dict[str, Any] = field(default_factory=dict)
    redo_base: int | None = None
    redos: int = 0
    returns: list[tuple[str, str, datetime]] = field(default_factory=list)
    extensions: list[tuple[int, str, UUID | None, datetime, str | None]] = field(
        default_factory=list
    )
    carried: bool = False
    seq: int | None = None
    updates: bool = False


def raised(row: Raised) -> RequestChange:
    """The request raised as `row`."""
    return RequestChange(raised=row)


def guarded(guard: int, version: int, at: datetime, **sets: Any) -> RequestChange:
    """An event at `version` (guarded by `guard`) that sets `sets` (`SET_COLUMNS`)."""
    unknown = set(sets) - BIT.keys()
    if unknown:
        raise ValueError(f"not a column an event sets: {sorted(unknown)}")
    return RequestChange(
        guard=guard, first_version=version, version=version, updated_at=at, sets=sets, updates=True
    )


def keep(version: int) -> RequestChange:
    """The project (at `version`) kept the request's id: `seq`, unless already set."""
    return RequestChange(seq=version, updates=True)


def actor_json(actor: dict[str, str] | None) -> str | None:
    """An extension's actor as the statement takes it (JSON text; None: not known)."""
    return None if actor is None else json.dumps(actor)


class RequestRow:
    """The fold of a request's row changes (batch.Fold)."""

    def statement(self, key: UUID, folded: RequestChange) -> tuple[str, tuple[Any, ...]]:
        arguments = self.arguments(key, folded)
        if folded.raised is not None:
            return RAISE_REQUEST_ROW, arguments
        return UPDATE_REQUEST_ROW, (key, *arguments[RAISE:])

    def fold(self, earlier: RequestChange | None, later: RequestChange) -> RequestChange:
        if earlier is None:
            return later
        if later.raised is not None and earlier.raised is None:
            # Only a project's keep can come before its request's raise (the district seed's
            # batched appends put it first). Alone in its batch it finds no row and does nothing;
            # folded into the raise it must do nothing either, or the row would depend on
            # where a batch ends (and replay --check would differ from the live rows).
            earlier.raised, earlier.seq = later.raised, None
        if later.first_version is not None:
            if earlier.first_version is None:
                earlier.guard, earlier.first_version = later.guard, later.first_version
            earlier.version, earlier.updated_at = later.version, later.updated_at
        earlier.sets.update(later.sets)
        if later.redo_base is not None:
            earlier.redo_base, earlier.redos = later.redo_base, later.redos
        else:
            earlier.redos += later.redos
        earlier.returns += later.returns
        earlier.extensions += later.extensions
        earlier.carried = earlier.carried or later.carried
        if earlier.seq is None:
            earlier.seq = later.seq
        earlier.updates = earlier.updates or later.updates
        return earlier

    def arguments(self, key: UUID, folded: RequestChange) -> tuple[Any, ...]:
        c, row = folded, folded.raised
        sets = c.sets
        mask = 0
        for column in sets:
            mask |= BIT[column]
        return (
            key,
            *(_NOT_RAISED if row is None else _raised_values(row)),
            row is not None,
            *(c.updates, c.guard, c.first_version, c.version, c.updated_at, mask),
            *[sets.get(column) for column in _SET_NAMES],
            *(c.redo_base, c.redos, c.carried, c.seq),
            *_columns(c.returns, 3),
            *_columns(c.extensions, 5),
        )


# (attrgetter and a list, not a generator per column: these run once per request a batch
# changes, a tenth of a catch-up's Python.)
_raised_values = attrgetter(*RAISED_COLUMNS)
_NOT_RAISED = (None,) * len(RAISED_COLUMNS)
_SET_NAMES = tuple(column for column, _ in SET_COLUMNS)


def _columns(rows: list[Any], width: int) -> list[list[Any]]:
    """`rows` (tuples of `width`) as `width` column lists."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


ROW = RequestRow()


async def write(conn: Any, request_id: UUID, change: RequestChange) -> None:
    """Record that an event changes the request's row by `change`, folded with the batch's
    other changes to it."""
    await merge(conn, ROW, request_id, change)
