"""Read model of officers: rm_officers."""

from __future__ import annotations

from typing import Any

import asyncpg

from cso.domain.officer import Officer
from cso.eventstore import RecordedEvent
from cso.projections.base import Projection, row_keys

PROJECTION = Projection("officers")

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

TOUCH = """
UPDATE rm_officers SET version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

SET_POSTING = """
UPDATE rm_officers SET active_posting_id = $4, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""


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


@PROJECTION.on(Officer, "PostedAsFirstSecretary")
async def posted(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    await conn.execute(SET_POSTING, *row_keys(recorded), event.posting_id)


@PROJECTION.on(Officer, "FirstSecretaryPostingEnded")
async def posting_ended(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    await conn.execute(SET_POSTING, *row_keys(recorded), None)


@PROJECTION.on(Officer, "AssignedAsCso")
async def assigned_as_cso(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    """The officer's row shows nothing of it but its version (the projects show the CSO)."""
    await conn.execute(TOUCH, *row_keys(recorded))
