"""Read model of industry chains: rm_chains."""

from __future__ import annotations

from typing import Any

import asyncpg

from cso.domain.chain import IndustryChain
from cso.eventstore import RecordedEvent
from cso.projections.base import Projection, row_keys

PROJECTION = Projection("chains")

INSERT_CHAIN = """
INSERT INTO rm_chains (id, name, leader, lead_department, version, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $6)
ON CONFLICT (id) DO NOTHING
"""

# A master already listed is not listed twice.
ADD_MASTER = """
UPDATE rm_chains
SET master_ids = CASE WHEN $4 = ANY (master_ids) THEN master_ids
                      ELSE array_append(master_ids, $4::uuid) END,
    version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""


@PROJECTION.on(IndustryChain, "Established")
async def established(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    await conn.execute(
        INSERT_CHAIN,
        recorded.stream_id,
        event.name,
        event.leader,
        event.lead_department,
        recorded.version,
        recorded.recorded_at,
    )


@PROJECTION.on(IndustryChain, "MasterDesignated")
async def master_designated(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    await conn.execute(ADD_MASTER, *row_keys(recorded), event.enterprise_id)
