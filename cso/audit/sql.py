"""The audit tools' SQL: reads of the whole log, always parameterised."""

from __future__ import annotations

COUNT_EVENTS = "SELECT count(*) FROM events"

# Every stream's events (or one's, $3) in version order, up to a place in the commit order
# ($1, $2: a transaction id and a position; NULLs for everything committed). A stream's
# versions grow with the commit order, so the cut keeps each stream's first versions whole.
EVENTS_BY_STREAM = """
SELECT stream_id, stream_type, version, type, data::text AS data, metadata::text AS metadata,
       recorded_at, hash
FROM events
WHERE ($1::xid8 IS NULL OR (transaction_id, position) <= ($1::xid8, $2::bigint))
  AND ($3::uuid IS NULL OR stream_id = $3::uuid)
ORDER BY stream_id, version
"""

# Each stream's last version and hash at a place in the commit order (an anchor's input).
HEADS_AT = """
SELECT DISTINCT ON (stream_id) stream_id, version, hash
FROM events
WHERE (transaction_id, position) <= ($1::xid8, $2::bigint)
ORDER BY stream_id, version DESC
"""

# What an export holds ($1 one stream or NULL, $2 a moment or NULL): each chosen stream from
# its first version recorded at or after the moment (recorded_at may go back between
# versions; cutting by version keeps every stream's part whole), in position order, each
# event with its predecessor's hash so that the file's chains can be checked on their own ($3: the
# genesis hash, for a stream's first event).
EXPORT = """
WITH firsts AS (
  SELECT stream_id, min(version) AS first_version
  FROM events
  WHERE ($1::uuid IS NULL OR stream_id = $1::uuid)
    AND ($2::timestamptz IS NULL OR recorded_at >= $2::timestamptz)
  GROUP BY stream_id
)
SELECT e.position, e.stream_id, e.stream_type, e.version, e.type, e.data::text AS data,
       e.metadata::text AS metadata, e.recorded_at, e.hash,
       coalesce(p.hash, $3::bytea) AS previous_hash
FROM events e
JOIN firsts f ON f.stream_id = e.stream_id AND e.version >= f.first_version
LEFT JOIN events p ON p.stream_id = e.stream_id AND p.version = e.version - 1
ORDER BY e.position
"""

COUNT_EXPORT = """
SELECT count(*) FROM events
WHERE ($1::uuid IS NULL OR stream_id = $1::uuid)
  AND ($2::timestamptz IS NULL OR recorded_at >= $2::timestamptz)
"""

# The log in commit order after ($1, $2) up to ($3, $4) inclusive, only events of the types
# a projection handles ($5), at most $6: what a replay check applies to it. Every event up to a
# projection's checkpoint had committed when the checkpoint was written.
REPLAY_BATCH = """
SELECT position, transaction_id, stream_id, stream_type, version, type, data::text AS data,
       metadata::text AS metadata, recorded_at, hash
FROM events
WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
  AND (transaction_id, position) <= ($3::xid8, $4::bigint)
  AND type = ANY($5::text[])
ORDER BY transaction_id, position
LIMIT $6
"""

# What a projection's replay reads (a progress bar's part): the events of the types it handles.
COUNT_HANDLED = "SELECT count(*) FROM events WHERE type = ANY($1::text[])"

CHECKPOINTS = "SELECT name, transaction_id, position FROM projection_checkpoints"

# A scratch schema, and in it an unlogged copy of a read-model table (same columns,
# defaults, constraints and indexes). Identifiers are generated or are the projections'
# declared table names, checked against the catalog and a plain-name pattern before use.
CREATE_SCHEMA = 'CREATE SCHEMA "{schema}"'
DROP_SCHEMA = 'DROP SCHEMA IF EXISTS "{schema}" CASCADE'
SCRATCH_TABLE = 'CREATE UNLOGGED TABLE "{schema}"."{table}" (LIKE "{table}" INCLUDING ALL)'

PRIMARY_KEY = """
SELECT a.attname
FROM pg_index i
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
WHERE i.indrelid = to_regclass($1) AND i.indisprimary
ORDER BY array_position(i.indkey, a.attnum)
"""

TABLE_EXISTS = "SELECT to_regclass($1) IS NOT NULL"

ALL_ROWS = 'SELECT * FROM "{table}"'
SCRATCH_ROWS = 'SELECT * FROM "{schema}"."{table}"'
