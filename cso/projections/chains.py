"""Read model of industry chains: rm_chains, and its queries (by id, all by name)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from cso.domain.chain import IndustryChain
from cso.eventstore import RecordedEvent
from cso.projections.base import Projection, row_keys

PROJECTION = Projection("chains", tables=("rm_chains",))

CHAIN_COLUMNS = """c.id, c.name, c.leader, c.lead_department, c.master_ids, c.version,
  c.created_at, c.updated_at"""

CHAINS_BY_ID = f"SELECT {CHAIN_COLUMNS} FROM rm_chains c WHERE c.id = ANY($1::uuid[])"

ALL_CHAINS = f"SELECT {CHAIN_COLUMNS} FROM rm_chains c ORDER BY c.name, c.id"

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


# Each touches only the chain's row ($1) (batch.py: groupable).
PROJECTION.keyed_by(
    INSERT_CHAIN,
    ADD_MASTER,
)


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


async def chains_by_ids(db: Any, ids: Sequence[UUID]) -> list[asyncpg.Record]:
    """The rows (CHAIN_COLUMNS) of those of `ids` the read model holds, in no order."""
    rows: list[asyncpg.Record] = await db.fetch(CHAINS_BY_ID, list(ids))
    return rows


async def all_chains(db: Any) -> list[asyncpg.Record]:
    """Every chain's row, by name."""
    rows: list[asyncpg.Record] = await db.fetch(ALL_CHAINS)
    return rows
