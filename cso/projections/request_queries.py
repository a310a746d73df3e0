"""The requests read model's lists: a department's queue, and requests by id.

Reads rm_requests (owned by the requests read model, `cso.projections.requests`), with its
project's row, when it has one, for the district and the chain. "Overdue" and "due soon" compare
the stored `overdue_from` and `due_soon_from` (decided in `cso.domain.project_records`)
with today, through the expressions below and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from cso.graphql.keyset import Column, ListQuery, PreparedList, orderings
from cso.projections.requests import overdue

# Due soon today, as `cso.domain.project_records.is_due_soon` decides it.
DUE_SOON = "({due_soon_from} IS NOT NULL AND {due_soon_from} <= {today} AND NOT {overdue})"


def due_soon(due_soon_column: str, overdue_column: str, today: str) -> str:
    """`DUE_SOON` over the stored columns and today's parameter."""
    return DUE_SOON.format(
        due_soon_from=due_soon_column, today=today, overdue=overdue(overdue_column, today)
    )


# A row of the model as its mapper reads it: (expression, name, type), in this order. JSON
# columns are read as text, which the mapper decodes only when it holds more than an empty
# list. The type says how a value in JSON (REQUEST_JSON) is read back ("": as it is).
REQUEST_FIELDS = (
    ("r.id", "id", "uuid"),
    ("r.project_id", "project_id", "uuid"),
    ("r.posting_id", "posting_id", "uuid"),
    ("r.enterprise_id", "enterprise_id", "uuid"),
    ("r.source", "source", ""),
    ("r.category", "category", ""),
    ("r.description", "description", ""),
    ("r.status", "status", ""),
    ("r.departments", "departments", ""),
    ("r.joint", "joint", ""),
    ("r.raised_on", "raised_on", "date"),
    ("r.due_on", "due_on", "date"),
    ("r.overdue_from", "overdue_from", "date"),
    ("r.due_soon_from", "due_soon_from", "date"),
    ("r.resolution", "resolution", ""),
    ("r.resolved_on", "resolved_on", "date"),
    ("r.satisfaction", "satisfaction", ""),
    ("r.calendar_source", "calendar_source", ""),
    ("r.version", "version", ""),
    ("r.created_at", "created_at", "timestamptz"),
    ("r.updated_at", "updated_at", "timestamptz"),
    ("r.returns::text", "returns", ""),
    ("r.extensions::text", "extensions", ""),
    ("r.redo_count", "redo_count", ""),
)

REQUEST_COLUMNS = ", ".join(
    sql if sql == f"r.{name}" else f"{sql} AS {name}" for sql, name, _ in REQUEST_FIELDS
)


def _in_json(sql: str, sql_type: str) -> str:
    # An instant as UTC without an offset: read back exactly, microseconds and all, whatever
    # the session's time zone.
    return f"({sql} AT TIME ZONE 'UTC')" if sql_type == "timestamptz" else sql


# The same row as one JSON array, in REQUEST_FIELDS' order (read it through RequestRecord):
# a statement returning many requests as one value, say per project, sends them as one
# string, decoded in one call, where records of 24 binary columns each cost the client
# three times as much to decode (a page's 55 requests: about 0.35 ms).
REQUEST_JSON = (
    "json_build_array("
    + ", ".join(_in_json(sql, sql_type) for sql, _, sql_type in REQUEST_FIELDS)
    + ")"
)

_INDEX = {name: n for n, (_, name, _) in enumerate(REQUEST_FIELDS)}
_FROM_JSON: dict[str, Callable[[Any], Any]] = {
    "uuid": UUID,
    "date": date.fromisoformat,
    "timestamptz": lambda text: datetime.fromisoformat(text).replace(tzinfo=UTC),
}
_READ_BACK = [_FROM_JSON.get(sql_type) for _, _, sql_type in REQUEST_FIELDS]


class RequestRecord(Mapping[str, Any]):
    """A REQUEST_JSON value (a list) read by column name, as a row of REQUEST_COLUMNS:
    each value read back to the type asyncpg gives for the column when it is looked up
    (KeyError for a name it lacks)."""

    __slots__ = ("_values",)

    def __init__(self, values: Sequence[Any]) -> None:
        self._values = values

    def __getitem__(self, name: str) -> Any:
        n = _INDEX[name]
        value, read_back = self._values[n], _READ_BACK[n]
        return value if value is None or read_back is None else read_back(value)

    def __iter__(self) -> Iterator[str]:
        return iter(_INDEX)

    def __len__(self) -> int:
        return len(_INDEX)


REQUESTS_BY_ID = f"SELECT {REQUEST_COLUMNS} FROM rm_requests r WHERE r.id = ANY($1::uuid[])"

# The problems of several postings at once, each posting's in the order they were received.
PROBLEMS_OF = f"""
SELECT {REQUEST_COLUMNS}
FROM rm_requests r WHERE r.posting_id = ANY($1::uuid[])
ORDER BY r.posting_id, r.raised_on, r.created_at, r.id
"""

# The queue's filters, $1..$12: department (one the request is referred to), status,
# overdue, today, due soon, category, source, project, posting, enterprise, district,
# chain (district and chain: of the project a request was raised on; for a problem logged
# on a posting, its enterprise's district and the posting's chain — uncorrelated subqueries,
# run only when the filter is given).
REQUEST_FILTER = f"""($1::text IS NULL OR r.departments @> ARRAY[$1::text])
  AND ($2::text IS NULL OR r.status = $2::text)
  AND ($3::boolean IS NULL
       OR ($3::boolean AND {overdue("r.overdue_from", "$4::date")})
       OR (NOT $3::boolean AND NOT {overdue("r.overdue_from", "$4::date")}))
  AND ($5::boolean IS NULL
       OR ($5::boolean AND {due_soon("r.due_soon_from", "r.overdue_from", "$4::date")})
       OR (NOT $5::boolean AND NOT {due_soon("r.due_soon_from", "r.overdue_from", "$4::date")}))
  AND ($6::text IS NULL OR r.category = $6::text)
  AND ($7::text IS NULL OR r.source = $7::text)
  AND ($8::uuid IS NULL OR r.project_id = $8::uuid)
  AND ($9::uuid IS NULL OR r.posting_id = $9::uuid)
  AND ($10::uuid IS NULL OR r.enterprise_id = $10::uuid)
  AND ($11::text IS NULL OR p.district = $11::text
       OR (r.posting_id IS NOT NULL AND r.enterprise_id IN (
           SELECT enterprise_id FROM rm_project_enterprises WHERE district = $11::text)))
  AND ($12::uuid IS NULL OR p.chain_id = $12::uuid
       OR r.posting_id IN (SELECT id FROM rm_postings WHERE chain_id = $12::uuid))"""

REQUESTS = PreparedList(
    ListQuery(
        columns=REQUEST_COLUMNS,
        source="rm_requests r LEFT JOIN rm_projects p ON p.id = r.project_id",
        where=REQUEST_FILTER,
        params=12,
    ),
    orderings(
        "requests",
        {
            "DUE_ON": Column("r.due_on", "date"),
            "RECEIVED_ON": Column("r.raised_on", "date"),
            "CREATED_AT": Column("r.created_at", "timestamptz"),
            "UPDATED_AT": Column("r.updated_at", "timestamptz"),
        },
        Column("r.id", "uuid"),
    ),
)


async def problems_of(db: Any, posting_ids: Sequence[UUID]) -> list[list[asyncpg.Record]]:
    """Per posting, the rows of the problems logged on it (one statement for them all)."""
    found: dict[UUID, list[asyncpg.Record]] = {key: [] for key in posting_ids}
    for row in await db.fetch(PROBLEMS_OF, list(posting_ids)):
        found[row["posting_id"]].append(row)
    return [found[key] for key in posting_ids]


async def requests_by_ids(db: Any, ids: Sequence[UUID]) -> list[asyncpg.Record]:
    """The rows of the requests with these ids (any order; unknown ids are left out)."""
    rows: list[asyncpg.Record] = await db.fetch(REQUESTS_BY_ID, list(ids))
    return rows
