"""Read model of first-secretary postings: rm_postings, rm_posting_records (visits and
party-building guidance) and rm_posting_extensions, their handlers and their queries (by
ids, the list with its filters, a posting's records and extensions as of a version). The
problems logged on a posting are rows of the requests read model (`request_queries`); a
posting's row counts the open ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from cso.domain.secretary_posting import SecretaryPosting
from cso.eventstore import RecordedEvent
from cso.graphql.keyset import Column, ListQuery, PreparedList, orderings
from cso.projections.base import Projection, row_keys
from cso.projections.project_queries import grouped
from cso.projections.requests import acted_by

PROJECTION = Projection(
    "postings", tables=("rm_postings", "rm_posting_records", "rm_posting_extensions")
)

VISIT = "VISIT"
GUIDANCE = "GUIDANCE"

POSTING_COLUMNS = """p.id, p.officer_id, p.enterprise_id, p.chain_id, p.sending_unit,
  p.term_start, p.term_end, p.active, p.ended_on, p.visit_count, p.latest_visit_on,
  p.guidance_count, p.latest_guidance_on, p.extension_count, p.open_problems, p.version,
  p.created_at, p.updated_at"""

POSTINGS_BY_ID = f"SELECT {POSTING_COLUMNS} FROM rm_postings p WHERE p.id = ANY($1::uuid[])"

# The list's filters, $1..$5: active, chain, enterprise, officer, term ends before.
POSTING_FILTER = """($1::boolean IS NULL OR p.active = $1::boolean)
  AND ($2::uuid IS NULL OR p.chain_id = $2::uuid)
  AND ($3::uuid IS NULL OR p.enterprise_id = $3::uuid)
  AND ($4::uuid IS NULL OR p.officer_id = $4::uuid)
  AND ($5::date IS NULL OR p.term_end < $5::date)"""

POSTINGS = PreparedList(
    ListQuery(columns=POSTING_COLUMNS, source="rm_postings p", where=POSTING_FILTER, params=5),
    orderings(
        "secretaryPostings",
        {
            "CREATED_AT": Column("p.created_at", "timestamptz"),
            "TERM_END": Column("p.term_end", "date"),
        },
        Column("p.id", "uuid"),
    ),
)

RECORD_COLUMNS = "r.id, r.kind, r.occurred_on, r.summary, r.recorded_at"

# A posting's records of one kind ($2) as of a posting version ($3), newest first.
RECORDS = PreparedList(
    ListQuery(
        columns=RECORD_COLUMNS,
        source="rm_posting_records r",
        where="r.posting_id = $1::uuid AND r.kind = $2::text AND r.version <= $3::integer",
        params=3,
    ),
    orderings(
        "postingRecords",
        {"OCCURRED_ON": Column("r.occurred_on", "date")},
        Column("r.position", "bigint"),
    ),
)
NEWEST_FIRST = "OCCURRED_ON:DESC"

# Pages of several postings' records at once (a list of postings showing their visits or
# guidance): for each requested page (n), the rows of its kind up to its version and after
# its cursor, newest first, one more than it shows; each a LIMITed walk of the records
# index. Rows carry the sort key as k0 (occurred_on) and k1 (position), as RECORDS' do.
RECORDS_PAGES = """
SELECT k.n, r.occurred_on AS k0, r.position AS k1,
       r.id, r.kind, r.occurred_on, r.summary, r.recorded_at
FROM unnest($1::uuid[], $2::text[], $3::integer[], $4::date[], $5::bigint[], $6::integer[])
     WITH ORDINALITY AS k(posting_id, kind, up_to, after_on, after_position, page_rows, n)
CROSS JOIN LATERAL (
  SELECT r.id, r.kind, r.occurred_on, r.summary, r.recorded_at, r.position
  FROM rm_posting_records r
  WHERE r.posting_id = k.posting_id AND r.kind = k.kind AND r.version <= k.up_to
    AND (r.occurred_on, r.position)
      < (coalesce(k.after_on, 'infinity'::date), coalesce(k.after_position, 9223372036854775807))
  ORDER BY r.occurred_on DESC, r.position DESC
  LIMIT k.page_rows
) r
ORDER BY k.n, r.occurred_on DESC, r.position DESC
"""


@dataclass(frozen=True, slots=True)
class RecordsPage:
    """One posting's page of records of one kind to fetch."""

    posting_id: UUID
    kind: str  # VISIT or GUIDANCE
    up_to: int  # the posting version the page shows
    fetch: int  # rows to fetch: the page size plus one
    after: tuple[date, int] | None  # the sort key (occurred_on, position) to start after


EXTENSIONS = """
SELECT previous_end, term_end, reason, by_id, actor_id, actor_role, actor_name, recorded_at
FROM rm_posting_extensions
WHERE posting_id = $1 AND version <= $2 ORDER BY version
"""

INSERT_POSTING = """
INSERT INTO rm_postings (id, officer_id, enterprise_id, chain_id, sending_unit, term_start,
  term_end, version, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
ON CONFLICT (id) DO NOTHING
"""

# One statement a record: the row, and the posting's count and latest date by increment
# (each event is applied once: the version guard and the checkpoint see to it).
# One statement for visits and guidance: $8 the kind ('VISIT' or 'GUIDANCE') picks the
# count and the latest date it moves; the other pair stays as it is.
RECORD = """
WITH record AS (
  INSERT INTO rm_posting_records
    (id, posting_id, version, kind, occurred_on, summary, recorded_at, position)
  VALUES ($4, $1, $2, $8, $5, $6, $3, $7)
  ON CONFLICT (id) DO NOTHING
)
UPDATE rm_postings
SET visit_count = visit_count + ($8::text = 'VISIT')::int,
    latest_visit_on = CASE WHEN $8::text = 'VISIT'
                           THEN greatest(latest_visit_on, $5) ELSE latest_visit_on END,
    guidance_count = guidance_count + ($8::text = 'GUIDANCE')::int,
    latest_guidance_on = CASE WHEN $8::text = 'GUIDANCE'
                              THEN greatest(latest_guidance_on, $5) ELSE latest_guidance_on END,
    version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

EXTEND_TERM = """
WITH extension AS (
  INSERT INTO rm_posting_extensions
    (posting_id, version, previous_end, term_end, reason, by_id, actor_id, actor_role,
     actor_name, recorded_at)
  VALUES ($1, $2, $4, $5, $6, $7, $8, $9, $10, $3)
  ON CONFLICT (posting_id, version) DO NOTHING
)
UPDATE rm_postings
SET term_end = $5, extension_count = extension_count + 1, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

# The posting kept or forgot the id of an open problem: $4 the open count the domain
# decided; events recorded before it did ($4 NULL) step the count by $5 (1 or -1).
COUNT_PROBLEM = """
UPDATE rm_postings SET open_problems = COALESCE($4, open_problems + $5), version = $2,
  updated_at = $3
WHERE id = $1 AND version < $2
"""

END_POSTING = """
UPDATE rm_postings SET active = false, ended_on = $4, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""


# Each touches only the posting's row, records and extensions ($1) (batch.py: groupable).
PROJECTION.keyed_by(
    INSERT_POSTING,
    RECORD,
    EXTEND_TERM,
    COUNT_PROBLEM,
    END_POSTING,
)


@PROJECTION.on(SecretaryPosting, "Posted")
async def posted(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """A new row of rm_postings: the posting active, its officer, enterprise, chain and term."""
    await conn.execute(
        INSERT_POSTING,
        recorded.stream_id,
        event.officer_id,
        event.enterprise_id,
        event.chain_id,
        event.sending_unit,
        event.term_start,
        event.term_end,
        recorded.version,
        recorded.recorded_at,
    )


_RECORDS = {"VisitRecorded": "VISIT", "GuidanceRecorded": "GUIDANCE"}


@PROJECTION.on(SecretaryPosting, *_RECORDS)
async def record(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """A visit or guidance row (rm_posting_records), and the posting's count and latest date."""
    await conn.execute(
        RECORD,
        *row_keys(recorded),
        event.record_id,
        event.on,
        event.summary,
        recorded.position,
        _RECORDS[type(event).__name__],
    )


@PROJECTION.on(SecretaryPosting, "TermExtended")
async def term_extended(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """Stores the new term end and the extension, with who made it (rm_posting_extensions)."""
    actor = acted_by(recorded)
    await conn.execute(
        EXTEND_TERM,
        *row_keys(recorded),
        event.previous_end,
        event.term_end,
        event.reason,
        event.by,
        actor["id"],
        actor["role"],
        actor["name"],
    )


@PROJECTION.on(SecretaryPosting, "ProblemOpened", "ProblemSettled")
async def problem_counted(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    """Stores the posting's open-problem count after the change (`open_problems`)."""
    step = 1 if type(event).__name__ == "ProblemOpened" else -1
    count = getattr(event, "open_count", None)
    await conn.execute(COUNT_PROBLEM, *row_keys(recorded), count, step)


@PROJECTION.on(SecretaryPosting, "Ended")
async def ended(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """Stores the posting inactive and the day it ended."""
    await conn.execute(END_POSTING, *row_keys(recorded), event.on)


async def postings_by_ids(db: Any, ids: Sequence[UUID]) -> list[asyncpg.Record]:
    """The rows (POSTING_COLUMNS) of those of `ids` the read model holds, in no order."""
    rows: list[asyncpg.Record] = await db.fetch(POSTINGS_BY_ID, list(ids))
    return rows


async def extensions_of(db: Any, posting_id: UUID, version: int) -> list[asyncpg.Record]:
    """The posting's term extensions made up to `version`, oldest first."""
    rows: list[asyncpg.Record] = await db.fetch(EXTENSIONS, posting_id, version)
    return rows


async def records_pages(db: Any, pages: Sequence[RecordsPage]) -> list[list[asyncpg.Record]]:
    """Every requested page in one statement (RECORDS_PAGES), in the order asked."""
    rows = await db.fetch(
        RECORDS_PAGES,
        [p.posting_id for p in pages],
        [p.kind for p in pages],
        [p.up_to for p in pages],
        [None if p.after is None else p.after[0] for p in pages],
        [None if p.after is None else p.after[1] for p in pages],
        [p.fetch for p in pages],
    )
    return grouped(rows, len(pages))
