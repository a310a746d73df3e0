"""Read model of enterprises: rm_enterprises, with what the two coverages need."""

from __future__ import annotations

from typing import Any

import asyncpg

from cso.domain.enterprise import Enterprise
from cso.eventstore import RecordedEvent
from cso.projections.base import Projection, row_keys

PROJECTION = Projection("enterprises")

INSERT_ENTERPRISE = """
INSERT INTO rm_enterprises
  (id, name, credit_code, district, park, sme, chain_id, version, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
ON CONFLICT (id) DO NOTHING
"""

SET_PARTY_ORGANIZATION = """
UPDATE rm_enterprises
SET party_organization = $4, party_member_count = $5, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

SET_POSTING = """
UPDATE rm_enterprises SET active_posting_id = $4, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""


@PROJECTION.on(Enterprise, "Registered")
async def registered(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    await conn.execute(
        INSERT_ENTERPRISE,
        recorded.stream_id,
        event.name,
        event.credit_code,
        event.district,
        event.park,
        event.sme,
        event.chain_id,
        recorded.version,
        recorded.recorded_at,
    )


@PROJECTION.on(Enterprise, "PartyOrganizationRecorded")
async def party_organization_recorded(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    await conn.execute(
        SET_PARTY_ORGANIZATION, *row_keys(recorded), event.kind.value, event.member_count
    )


@PROJECTION.on(Enterprise, "FirstSecretaryPosted")
async def secretary_posted(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    await conn.execute(SET_POSTING, *row_keys(recorded), event.posting_id)


@PROJECTION.on(Enterprise, "FirstSecretaryPostingEnded")
async def posting_ended(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    await conn.execute(SET_POSTING, *row_keys(recorded), None)
