"""The projects read model's queries: what the GraphQL layer reads projects through.

Lists of a project (milestones, CSO terms, plan, services) are asked for at a project
version: a current project passes its row's version, a replayed one the version it was
replayed to, and both read the rows written at or before it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from cso.graphql.keyset import Beside, Column, ListQuery, PreparedList, Row, orderings
from cso.projections.enterprises import ENTERPRISE_FIELDS
from cso.projections.officers import OFFICER_FIELDS
from cso.projections.request_queries import REQUEST_COLUMNS, REQUEST_JSON, RequestRecord
from cso.projections.requests import overdue

# A project's requests in the order they are shown: as raised, then by id.
REQUEST_ORDER = "r.seq, r.id"

# (project id, project version): whose list, as it was at which version.
At = tuple[UUID, int]

PROJECT_COLUMNS = """p.id, p.enterprise_id, p.name, p.investment, p.chain_id, p.stage,
  p.signed_on, p.cso_id, p.cso_since, p.closed, p.outcome, p.close_reason, p.service_count,
  p.latest_service_on, p.open_requests, p.overdue_from, p.version, p.created_at,
  p.updated_at"""

PROJECTS_BY_ID = f"SELECT {PROJECT_COLUMNS} FROM rm_projects p WHERE p.id = ANY($1::uuid[])"

# The list's filters, $1..$8: stage, CSO, enterprise, chain, district, overdue (with or
# without an overdue request), today, search pattern. Written so that overdue=true is the
# plain comparison rm_projects_overdue answers.
PROJECT_FILTER = f"""($1::text IS NULL OR p.stage = $1::text)
  AND ($2::uuid IS NULL OR p.cso_id = $2::uuid)
  AND ($3::uuid IS NULL OR p.enterprise_id = $3::uuid)
  AND ($4::uuid IS NULL OR p.chain_id = $4::uuid)
  AND ($5::text IS NULL OR p.district = $5::text)
  AND ($6::boolean IS NULL
       OR ($6::boolean AND {overdue("p.overdue_from", "$7::date")})
       OR (NOT $6::boolean AND NOT {overdue("p.overdue_from", "$7::date")}))
  AND ($8::text IS NULL OR p.name ILIKE $8::text OR EXISTS (
        SELECT 1 FROM rm_enterprises e
        WHERE e.id = p.enterprise_id AND e.name ILIKE $8::text))"""


class Companion:
    """A row a page fetches beside its own, as plain columns named `<prefix>__<column>`
    (`names`: the model's columns, of `table`); `of(row)` gives it back as a mapping of its
    own column names, or None when the join found nothing.

    Plain columns, not the joined table's row type: that type is the table's own, and a
    rebuild swaps the table for another one, so a page statement prepared before the swap
    would be refused inside a transaction (asyncpg's InvalidCachedStatementError), where
    columns of plain types are re-planned by PostgreSQL in silence."""

    def __init__(self, prefix: str, table: str, names: Sequence[str]) -> None:
        self.sql = ", ".join(f"{table}.{name} AS {prefix}__{name}" for name in names)
        self._keys = tuple((name, f"{prefix}__{name}") for name in names)
        self._id = f"{prefix}__id"

    def of(self, row: Row) -> dict[str, Any] | None:
        if row[self._id] is None:
            return None
        return {name: row[key] for name, key in self._keys}


CSO_BESIDE = Companion("cso", "cso_row", OFFICER_FIELDS)
ENTERPRISE_BESIDE = Companion("enterprise", "enterprise_row", ENTERPRISE_FIELDS)

# What a page fetches beside its rows, each when its flag ({0}, {1}, {2}) is true, else
# null: the CSO's and the enterprise's columns (every column the officers' and enterprises'
# queries read: null also when that model lacks the row yet), and the project's requests as a
# JSON array of REQUEST_JSON, in the order REQUESTS_OF gives them.
PAGE_BESIDE = Beside(
    columns=f"""{CSO_BESIDE.sql}, {ENTERPRISE_BESIDE.sql},
  CASE WHEN {{2}}::boolean THEN (
    SELECT coalesce(json_agg({REQUEST_JSON} ORDER BY {REQUEST_ORDER}), '[]') FROM rm_requests r
    WHERE r.project_id = page.id) END AS requests""",
    joins="""LEFT JOIN rm_officers cso_row ON {0}::boolean AND cso_row.id = page.cso_id
  LEFT JOIN rm_enterprises enterprise_row
    ON {1}::boolean AND enterprise_row.id = page.enterprise_id""",
    params=3,
)

# The list: a page by any of its orderings (keyset cursors) and the count, under the filter;
# each page with what PAGE_BESIDE fetches beside its rows.
PROJECTS = PreparedList(
    ListQuery(
        columns=PROJECT_COLUMNS,
        source="rm_projects p",
        where=PROJECT_FILTER,
        params=8,
    ),
    orderings(
        "projects",
        {
            "CREATED_AT": Column("p.created_at", "timestamptz"),
            "UPDATED_AT": Column("p.updated_at", "timestamptz"),
            "NAME": Column("p.name", "text"),
            "SIGNED_ON": Column("p.signed_on", "date"),
            "INVESTMENT": Column("p.investment", "numeric"),
        },
        Column("p.id", "uuid"),
    ),
    PAGE_BESIDE,
)


MILESTONES_AT = """
SELECT k.n, m.milestone, m.reached_on
FROM unnest($1::uuid[], $2::integer[]) WITH ORDINALITY AS k(project_id, up_to, n)
JOIN rm_project_milestones m ON m.project_id = k.project_id AND m.version <= k.up_to
ORDER BY k.n, m.rank
"""

# A term ends the day the next one starts (the handover), as of the version asked for.
ASSIGNMENTS_AT = """
SELECT k.n, a.officer_id, a.start_on, a.reason,
       lead(a.start_on) OVER (PARTITION BY k.n ORDER BY a.version) AS end_on
FROM unnest($1::uuid[], $2::integer[]) WITH ORDINALITY AS k(project_id, up_to, n)
JOIN rm_cso_assignments a ON a.project_id = k.project_id AND a.version <= k.up_to
ORDER BY k.n, a.version
"""

PLANS_AT = """
SELECT k.n, p.items, p.completed_items
FROM unnest($1::uuid[], $2::integer[]) WITH ORDINALITY AS k(project_id, up_to, n)
CROSS JOIN LATERAL (
  SELECT items, completed_items FROM rm_service_plans
  WHERE project_id = k.project_id AND version <= k.up_to
  ORDER BY version DESC LIMIT 1
) p
"""

REQUESTS_OF = f"""
SELECT {REQUEST_COLUMNS}
FROM rm_requests r WHERE r.project_id = ANY($1::uuid[]) ORDER BY r.project_id, {REQUEST_ORDER}
"""

# Pages of several projects' service timelines at once: for each requested page (n), the
# rows up to its version and after its cursor (none: from the newest), newest first, one
# more than it shows. Each page is a LIMITed walk of rm_services_timeline from the cursor
# on, so its cost does not grow with the project's services, nor with how deep the page is.
SERVICES_PAGES = """
SELECT k.n, s.occurred_on AS k0, s.position AS k1,
       s.id, s.kind, s.summary, s.occurred_on, s.officer_id
FROM unnest($1::uuid[], $2::integer[], $3::date[], $4::bigint[], $5::integer[])
     WITH ORDINALITY AS k(project_id, up_to, after_on, after_position, page_rows, n)
CROSS JOIN LATERAL (
  SELECT s.id, s.kind, s.summary, s.occurred_on, s.officer_id, s.position FROM rm_services s
  WHERE s.project_id = k.project_id AND s.version <= k.up_to
    AND (s.occurred_on, s.position)
      < (coalesce(k.after_on, 'infinity'::date), coalesce(k.after_position, 9223372036854775807))
  ORDER BY s.occurred_on DESC, s.position DESC
  LIMIT k.page_rows
) s
ORDER BY k.n, s.occurred_on DESC, s.position DESC
"""


@dataclass(frozen=True, slots=True)
class ServicesPage:
    """One project's page of services to fetch."""

    project_id: UUID
    up_to: int  # the project version the page shows
    fetch: int  # rows to fetch: the page size plus one
    after: tuple[date, int] | None  # the sort key (occurred_on, position) to start after


def grouped(rows: Sequence[asyncpg.Record], count: int) -> list[list[asyncpg.Record]]:
    """Rows numbered by page (`n`, from 1) as one list per page, for `count` pages."""
    found: dict[int, list[asyncpg.Record]] = defaultdict(list)
    for row in rows:
        found[row["n"]].append(row)
    return [found.get(n, []) for n in range(1, count + 1)]


async def _at(db: Any, query: str, keys: Sequence[At]) -> list[list[asyncpg.Record]]:
    rows = await db.fetch(query, [k[0] for k in keys], [k[1] for k in keys])
    return grouped(rows, len(keys))


async def projects_by_ids(db: Any, ids: Sequence[UUID]) -> list[asyncpg.Record]:
    """The rows (PROJECT_COLUMNS) of those of `ids` the read model holds, in no order."""
    rows: list[asyncpg.Record] = await db.fetch(PROJECTS_BY_ID, list(ids))
    return rows


def page_requests(row: Row) -> list[RequestRecord]:
    """The requests a row of a PROJECTS page holds (fetched with PAGE_BESIDE's requests flag
    on), as rows of REQUEST_COLUMNS, in the order REQUESTS_OF gives them."""
    return [RequestRecord(record) for record in row["requests"]]


async def milestones_at(db: Any, keys: Sequence[At]) -> list[list[asyncpg.Record]]:
    """Per key, the milestones reached by that version (`milestone`, `reached_on`), in order."""
    return await _at(db, MILESTONES_AT, keys)


async def assignments_at(db: Any, keys: Sequence[At]) -> list[list[asyncpg.Record]]:
    """Per key, the CSO terms by that version, oldest first (`officer_id`, `start_on`,
    `end_on`: NULL while the term lasts, `reason`)."""
    return await _at(db, ASSIGNMENTS_AT, keys)


async def plans_at(db: Any, keys: Sequence[At]) -> list[list[asyncpg.Record]]:
    """Per key, none or one row: the plan's `items` and `completed_items` at that version."""
    return await _at(db, PLANS_AT, keys)


async def requests_of(db: Any, ids: Sequence[UUID]) -> list[list[asyncpg.Record]]:
    """Per project, its requests as they are now, in the order they were raised."""
    found: dict[UUID, list[asyncpg.Record]] = defaultdict(list)
    for row in await db.fetch(REQUESTS_OF, list(ids)):
        found[row["project_id"]].append(row)
    return [found.get(project_id, []) for project_id in ids]


async def services_pages(db: Any, pages: Sequence[ServicesPage]) -> list[list[asyncpg.Record]]:
    """Every requested page in one statement, each walking its project's timeline index.

    Rows carry the sort key as `k0` (occurred_on) and `k1` (the event's log position)."""
    rows = await db.fetch(
        SERVICES_PAGES,
        [p.project_id for p in pages],
        [p.up_to for p in pages],
        [None if p.after is None else p.after[0] for p in pages],
        [None if p.after is None else p.after[1] for p in pages],
        [p.fetch for p in pages],
    )
    return grouped(rows, len(pages))
