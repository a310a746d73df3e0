"""Read model of the personal-data access log: rm_personal_data_accesses, one row per
subject of each record, and its list query (for auditors and supervisors)."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson

from cso.domain.personal_data import PersonalDataAccess
from cso.eventstore import Metadata, RecordedEvent
from cso.graphql.keyset import Column, ListQuery, PreparedList, orderings
from cso.projections.base import Projection

PROJECTION = Projection("personal_data", tables=("rm_personal_data_accesses",))

ACCESS_COLUMNS = """p.position, p.at, p.actor_id, p.actor_role, p.actor_name, p.subject_id,
  p.subject_type, p.fields, p.correlation_id"""

# $1..$4: subject, actor, from, to (inclusive, exclusive).
ACCESS_FILTER = """($1::uuid IS NULL OR p.subject_id = $1::uuid)
  AND ($2::text IS NULL OR p.actor_id = $2::text)
  AND ($3::timestamptz IS NULL OR p.at >= $3::timestamptz)
  AND ($4::timestamptz IS NULL OR p.at < $4::timestamptz)"""

ACCESSES = PreparedList(
    ListQuery(
        columns=ACCESS_COLUMNS,
        source="rm_personal_data_accesses p",
        where=ACCESS_FILTER,
        params=4,
    ),
    orderings(
        "personalDataAccesses",
        {"AT": Column("p.at", "timestamptz"), "POSITION": Column("p.position", "bigint")},
        Column("p.position", "bigint"),
    ),
)

INSERT_ACCESSES = """
INSERT INTO rm_personal_data_accesses (position, at, actor_id, actor_role, actor_name,
  subject_id, subject_type, fields, correlation_id)
SELECT $1, $2, $3, $4, $5, a.subject_id, a.subject_type,
  ARRAY(SELECT jsonb_array_elements_text(a.fields)), $6
FROM jsonb_to_recordset($7::jsonb) AS a (subject_id uuid, subject_type text, fields jsonb)
ON CONFLICT DO NOTHING
"""


# Each touches only the rows of the event's position ($1) (batch.py: groupable).
PROJECTION.keyed_by(
    INSERT_ACCESSES,
)


@PROJECTION.on(PersonalDataAccess, "Recorded")
async def recorded(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    metadata = Metadata.from_json(recorded.metadata)
    actor = metadata.actor
    accesses = [
        {
            "subject_id": str(a["subject_id"]),
            "subject_type": a["subject_type"],
            "fields": list(a["fields"]),
        }
        for a in event.accesses
    ]
    await conn.execute(
        INSERT_ACCESSES,
        recorded.position,
        recorded.recorded_at,
        actor.id,
        actor.role,
        actor.name,
        metadata.correlation_id,
        orjson.dumps(accesses).decode(),
    )
