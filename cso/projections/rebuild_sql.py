"""The SQL of `cso projections rebuild` (cso.projections.rebuild).

Identifiers are checked plain names (`[a-z_][a-z0-9_]*`) before they are put in a
statement's text; values are parameters.
"""

from __future__ import annotations

# Held by the rebuild of one projection for as long as it runs: a second one is refused.
TRY_LOCK = "SELECT pg_try_advisory_lock($1)"

# The schema a live table is in, as the connection's search path finds it ($1 its name).
TABLE_SCHEMA = """
SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = to_regclass($1)
"""

CREATE_SCHEMA = 'CREATE SCHEMA "{schema}"'
DROP_SCHEMA = 'DROP SCHEMA IF EXISTS "{schema}" CASCADE'

# Same columns, defaults, constraints and indexes as the live table (and, logged, as safe).
SHADOW_TABLE = 'CREATE TABLE "{shadow}"."{table}" (LIKE "{live}"."{table}" INCLUDING ALL)'

# The live table's storage parameters (`fillfactor=50`, as the catalog spells them), which
# LIKE does not copy; NULL when it has none ($1 schema-qualified name).
STORAGE_OPTIONS = (
    "SELECT array_to_string(reloptions, ', ') FROM pg_class WHERE oid = to_regclass($1)"
)
SET_STORAGE = 'ALTER TABLE "{schema}"."{table}" SET ({options})'

# The live table's privileges, to be granted alike on its replacement: one row a grant.
GRANTS = """
SELECT a.privilege_type,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END
         AS grantee,
       a.is_grantable
FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) AS a
WHERE c.oid = to_regclass($1) AND a.grantee <> c.relowner
"""

GRANT = 'GRANT {privilege} ON "{schema}"."{table}" TO {grantee}{option}'

ANALYZE = 'ANALYZE "{schema}"."{table}"'

# A table's indexes with their definitions ($1 schema-qualified name), oldest first.
INDEXES = """
SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = to_regclass($1)
ORDER BY i.indexrelid
"""

RENAME_INDEX = 'ALTER INDEX "{schema}"."{old}" RENAME TO "{new}"'

# Waits for the live runner's batch in flight, then holds its next one (and every reader)
# until the switch commits.
LOCK_TABLES = "LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE"

MOVE_TABLE = 'ALTER TABLE "{schema}"."{table}" SET SCHEMA "{to}"'

# The live checkpoint, held still until the switch commits ($1 the projection's name).
LIVE_CHECKPOINT = """
SELECT transaction_id, position FROM projection_checkpoints WHERE name = $1 FOR UPDATE
"""

# The live projection takes over the shadow's checkpoint ($2, $3), its errors cleared.
TAKE_CHECKPOINT = """
INSERT INTO projection_checkpoints AS c (name, transaction_id, position, updated_at)
VALUES ($1, $2::xid8, $3, now())
ON CONFLICT (name) DO UPDATE
  SET transaction_id = excluded.transaction_id, position = excluded.position,
      updated_at = now(), last_error = NULL, error_position = NULL, error_since = NULL,
      failures = 0
"""

DELETE_CHECKPOINT = "DELETE FROM projection_checkpoints WHERE name = $1"

# How far the log goes, for the progress bar.
LAST_POSITION = "SELECT coalesce(max(position), 0) FROM events"

# The events committed up to a checkpoint ($1, $2: its transaction id and position).
COUNT_UPTO = """
SELECT count(*) FROM events WHERE (transaction_id, position) <= ($1::xid8, $2::bigint)
"""
