"""Read model of officers: rm_officers, and its queries (a batch by id, the list's filter)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from cso.domain.officer import Officer
from cso.domain.personal_data import ERASED
from cso.eventstore import RecordedEvent
from cso.graphql.keyset import ListQuery, PreparedList, name_orderings
from cso.projections.base import Projection, row_keys
from cso.projections.batch import Touch, merge

PROJECTION = Projection("officers", tables=("rm_officers",))

# The columns the officers' queries read (a page of projects too, beside its rows).
OFFICER_FIELDS = (
    "id",
    "name",
    "department",
    "roles",
    "party_member",
    "phone",
    "active",
    "active_posting_id",
    "version",
    "created_at",
    "updated_at",
)
OFFICER_COLUMNS = ", ".join(f"o.{name}" for name in OFFICER_FIELDS)

OFFICERS_BY_ID = f"SELECT {OFFICER_COLUMNS} FROM rm_officers o WHERE o.id = ANY($1::uuid[])"

# The list's filters, $1..$3: role, department, active.
OFFICER_FILTER = """($1::text IS NULL OR $1::text = ANY(o.roles))
  AND ($2::text IS NULL OR o.department = $2::text)
  AND ($3::boolean IS NULL OR o.active = $3::boolean)"""

# The list: a page by any of its orderings (keyset cursors) and the count, under the filter.
OFFICERS = PreparedList(
    ListQuery(columns=OFFICER_COLUMNS, source="rm_officers o", where=OFFICER_FILTER, params=3),
    name_orderings("officers", "o"),
)


INSERT_OFFICER = """
INSERT INTO rm_officers
  (id, name, department, roles, party_member, phone, active, version, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, true, $7, $8, $8)
ON CONFLICT (id) DO NOTHING
"""

UPDATE_ROLES = """
UPDATE rm_officers SET roles = $4, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

DEACTIVATE = """
UPDATE rm_officers SET active = false, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

# An event that changes nothing shown but the version: written once per batch (batch.Touch).
TOUCH = """
UPDATE rm_officers SET version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""
TOUCHED = Touch(TOUCH)

# Erasure: a phone registered before phones were sealed is plain text; it goes too.
ERASE_PHONE = """
UPDATE rm_officers SET phone = $4, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

SET_POSTING = """
UPDATE rm_officers SET active_posting_id = $4, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""


# Each touches only the officer's row ($1) (batch.py: groupable).
PROJECTION.keyed_by(
    INSERT_OFFICER,
    UPDATE_ROLES,
    DEACTIVATE,
    ERASE_PHONE,
    SET_POSTING,
)


@PROJECTION.on(Officer, "Registered")
async def registered(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    await conn.execute(
        INSERT_OFFICER,
        recorded.stream_id,
        event.name,
        event.department,
        [role.value for role in event.roles],
        event.party_member,
        event.phone,
        recorded.version,
        recorded.recorded_at,
    )


@PROJECTION.on(Officer, "RolesChanged")
async def roles_changed(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    roles = [role.value for role in event.roles]
    await conn.execute(UPDATE_ROLES, *row_keys(recorded), roles)


@PROJECTION.on(Officer, "Deactivated")
async def deactivated(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    await conn.execute(DEACTIVATE, *row_keys(recorded))


@PROJECTION.on(Officer, "PersonalDataErased")
async def erased(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    await conn.execute(ERASE_PHONE, *row_keys(recorded), ERASED)


@PROJECTION.on(Officer, "PostedAsFirstSecretary")
async def posted(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    await conn.execute(SET_POSTING, *row_keys(recorded), event.posting_id)


@PROJECTION.on(Officer, "FirstSecretaryPostingEnded")
async def posting_ended(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    await conn.execute(SET_POSTING, *row_keys(recorded), None)


@PROJECTION.on(Officer, "AssignedAsCso", "CsoCaseReleased", "CaseTaken", "CaseReleased")
async def assigned_as_cso(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    """The officer's row shows nothing of a case but its version (the projects show the CSO)."""
    await merge(conn, TOUCHED, recorded.stream_id, (recorded.version, recorded.recorded_at))


async def officers_by_ids(db: Any, ids: Sequence[UUID]) -> list[asyncpg.Record]:
    """The rows (OFFICER_COLUMNS) of those of `ids` the read model holds, in no order."""
    rows: list[asyncpg.Record] = await db.fetch(OFFICERS_BY_ID, list(ids))
    return rows


# By id (its text, so a name never fails to parse) or by exact name; a few, to name twins.
OFFICERS_NAMED = """
SELECT id, name, department, active FROM rm_officers
WHERE id::text = lower($1) OR name = $1
ORDER BY name, id LIMIT 10
"""

# Active officers, the earliest registered first (examples for a hint).
SOME_OFFICERS = "SELECT name FROM rm_officers WHERE active ORDER BY created_at, id LIMIT $1"


async def officers_named(db: Any, name_or_id: str) -> list[asyncpg.Record]:
    """Up to ten rows (id, name, department, active) whose id or exact name is `name_or_id`."""
    rows: list[asyncpg.Record] = await db.fetch(OFFICERS_NAMED, name_or_id)
    return rows


async def active_officer_names(db: Any, limit: int) -> list[str]:
    """Up to `limit` active officers' names, the earliest registered first."""
    return [row["name"] for row in await db.fetch(SOME_OFFICERS, limit)]
