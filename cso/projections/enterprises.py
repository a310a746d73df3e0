"""Read model of enterprises: rm_enterprises, with the two coverages the domain decides.

Its queries: `enterprises_by_ids` (a batch by id), the list's filter (`ENTERPRISE_FILTER`)
and the district-wide and per-chain coverage counts (`district_coverage`, `chain_coverage`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from cso.domain.enterprise import Enterprise, organisation_coverage, work_coverage
from cso.domain.enums import PartyOrganizationKind
from cso.eventstore import RecordedEvent
from cso.graphql.keyset import ListQuery, PreparedList, name_orderings
from cso.projections.base import Projection, row_keys

PROJECTION = Projection("enterprises", tables=("rm_enterprises",))

# The columns the enterprises' queries read (a page of projects too, beside its rows).
ENTERPRISE_FIELDS = (
    "id",
    "name",
    "credit_code",
    "district",
    "park",
    "sme",
    "chain_id",
    "party_organization",
    "party_member_count",
    "active_posting_id",
    "organisation_covered",
    "work_covered",
    "version",
    "created_at",
    "updated_at",
)
ENTERPRISE_COLUMNS = ", ".join(f"e.{name}" for name in ENTERPRISE_FIELDS)

ENTERPRISES_BY_ID = (
    f"SELECT {ENTERPRISE_COLUMNS} FROM rm_enterprises e WHERE e.id = ANY($1::uuid[])"
)

# The list's filters, $1..$5: chain, district, SME, has a party organisation, search pattern.
ENTERPRISE_FILTER = """($1::uuid IS NULL OR e.chain_id = $1::uuid)
  AND ($2::text IS NULL OR e.district = $2::text)
  AND ($3::boolean IS NULL OR e.sme = $3::boolean)
  AND ($4::boolean IS NULL OR e.organisation_covered = $4::boolean)
  AND ($5::text IS NULL OR e.name ILIKE $5::text OR e.credit_code ILIKE $5::text)"""

# The list: a page by any of its orderings (keyset cursors) and the count, under the filter.
ENTERPRISES = PreparedList(
    ListQuery(
        columns=ENTERPRISE_COLUMNS, source="rm_enterprises e", where=ENTERPRISE_FILTER, params=5
    ),
    name_orderings("enterprises", "e"),
)


INSERT_ENTERPRISE = """
INSERT INTO rm_enterprises
  (id, name, credit_code, district, park, sme, chain_id, organisation_covered, work_covered,
   version, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
ON CONFLICT (id) DO NOTHING
"""

# A log written before enterprises recorded CoverageChanged (an older database) has none
# after its organisations and postings, so these two set the coverages too: the domain
# decides both cases (with a posting and without; with an organisation and without), and
# the row's own state picks which applies. A CoverageChanged that follows (the same
# append, in a newer log) says the same.
SET_PARTY_ORGANIZATION = """
UPDATE rm_enterprises
SET party_organization = $4, party_member_count = $5, organisation_covered = $8,
    work_covered = CASE WHEN active_posting_id IS NULL THEN $6::boolean ELSE $7::boolean END,
    version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

SET_POSTING = """
UPDATE rm_enterprises
SET active_posting_id = $4,
    work_covered = CASE WHEN organisation_covered THEN $5::boolean ELSE $6::boolean END,
    version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

# The two coverages as the enterprise decided them (its CoverageChanged event).
SET_COVERAGE = """
UPDATE rm_enterprises
SET organisation_covered = $4, work_covered = $5, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

COVERAGE = """
SELECT count(*) AS total,
       count(*) FILTER (WHERE organisation_covered) AS organisation,
       count(*) FILTER (WHERE work_covered) AS work
FROM rm_enterprises
"""

CHAIN_COVERAGE = """
SELECT c.id,
       count(e.id) AS total,
       count(e.id) FILTER (WHERE e.organisation_covered) AS organisation,
       count(e.id) FILTER (WHERE e.work_covered) AS work
FROM unnest($1::uuid[]) AS c(id)
LEFT JOIN rm_enterprises e ON e.chain_id = c.id
GROUP BY c.id
"""


# Each touches only the enterprise's row ($1) (batch.py: groupable).
PROJECTION.keyed_by(
    INSERT_ENTERPRISE,
    SET_PARTY_ORGANIZATION,
    SET_POSTING,
    SET_COVERAGE,
)


@PROJECTION.on(Enterprise, "Registered")
async def registered(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    organisation = organisation_coverage(PartyOrganizationKind.NONE)
    await conn.execute(
        INSERT_ENTERPRISE,
        recorded.stream_id,
        event.name,
        event.credit_code,
        event.district,
        event.park,
        event.sme,
        event.chain_id,
        organisation,
        work_coverage(organisation, has_first_secretary=False),
        recorded.version,
        recorded.recorded_at,
    )


@PROJECTION.on(Enterprise, "PartyOrganizationRecorded")
async def party_organization_recorded(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    organisation = organisation_coverage(event.kind)
    await conn.execute(
        SET_PARTY_ORGANIZATION,
        *row_keys(recorded),
        event.kind.value,
        event.member_count,
        work_coverage(organisation, has_first_secretary=False),
        work_coverage(organisation, has_first_secretary=True),
        organisation,
    )


async def _set_posting(
    conn: asyncpg.Connection[Any], recorded: RecordedEvent, posting_id: UUID | None
) -> None:
    posted = posting_id is not None
    await conn.execute(
        SET_POSTING,
        *row_keys(recorded),
        posting_id,
        work_coverage(True, has_first_secretary=posted),
        work_coverage(False, has_first_secretary=posted),
    )


@PROJECTION.on(Enterprise, "FirstSecretaryPosted")
async def secretary_posted(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    await _set_posting(conn, recorded, event.posting_id)


@PROJECTION.on(Enterprise, "FirstSecretaryPostingEnded")
async def posting_ended(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    await _set_posting(conn, recorded, None)


@PROJECTION.on(Enterprise, "CoverageChanged")
async def coverage_changed(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    await conn.execute(
        SET_COVERAGE, *row_keys(recorded), event.organisation_covered, event.work_covered
    )


async def enterprises_by_ids(db: Any, ids: Sequence[UUID]) -> list[asyncpg.Record]:
    """The rows of those of `ids` the read model holds, in no particular order."""
    rows: list[asyncpg.Record] = await db.fetch(ENTERPRISES_BY_ID, list(ids))
    return rows


async def district_coverage(db: Any) -> asyncpg.Record:
    """One row: `total`, `organisation` and `work` (enterprises covered) district-wide."""
    row: asyncpg.Record | None = await db.fetchrow(COVERAGE)
    assert row is not None  # an aggregate query always answers with one row
    return row


async def chain_coverage(db: Any, chain_ids: Sequence[UUID]) -> list[asyncpg.Record]:
    """One row per chain (`id`, `total`, `organisation`, `work`); a chain without any counts 0."""
    rows: list[asyncpg.Record] = await db.fetch(CHAIN_COVERAGE, list(chain_ids))
    return rows
