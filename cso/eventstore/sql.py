"""The event store's SQL, kept in one place and always parameterised."""

# One append in one round trip: the function of migration 0015 (see its header).
APPEND = """
SELECT transaction_id, position, positions, hashes
FROM cso_append($1::uuid[], $2::text[], $3::integer[], $4::text[], $5::text[], $6::bytea[],
                $7::bytea[], $8::timestamptz[], $9::jsonb[], $10::boolean, $11::text[],
                $12::text[], $13::uuid[], $14::text[], $15::text[], $16::uuid[],
                $17::integer[], $18::text[], $19::text[], $20::text, $21::jsonb)
"""

# The common append, one event onto one stream, as one plain statement (about 40% less
# backend CPU than the function): the same hash chain, from the predecessor's hash the
# caller knows ($10; an event's hash never changes, and the events_no_version_gap trigger
# refuses the row if the predecessor is not there) or else looked up here (none found: a
# NULL hash, refused as NOT NULL: a conflict); the database's time unless $8 gives one.
_INSERT_ONE = """
INSERT INTO events (stream_id, stream_type, version, type, data, metadata, recorded_at, hash)
SELECT $1, $2::text, $3, $4::text, $5::jsonb, $9::jsonb, t.at, sha256(
  CASE WHEN $3::integer = 1
    THEN '\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea
    ELSE coalesce(
      $10::bytea,
      (SELECT p.hash FROM events p WHERE p.stream_id = $1::uuid AND p.version = $3 - 1))
  END
  || $6::bytea
  || convert_to(to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'), 'UTF8')
  || $7::bytea)
FROM (SELECT coalesce($8::timestamptz, clock_timestamp()) AS at{woken}) t
RETURNING transaction_id, position, hash"""

# With an idempotency key ($11), kept with its result ($12, less the checkpoint).
_KEEP_ONE = """
WITH inserted AS ({insert}
), kept AS (
  INSERT INTO idempotency_keys (key, result)
  SELECT $11::text, $12::jsonb || jsonb_build_object(
    'transaction_id', i.transaction_id::text::bigint, 'position', i.position)
  FROM inserted i
)
SELECT transaction_id, position, hash FROM inserted"""


def _append_one(*, notify: bool, keep: bool) -> str:
    insert = _INSERT_ONE.format(woken=", pg_notify('cso_events', '') AS woken" if notify else "")
    return _KEEP_ONE.format(insert=insert) if keep else insert


# By (notify, an idempotency key to keep).
APPEND_ONE = {
    (notify, keep): _append_one(notify=notify, keep=keep)
    for notify in (False, True)
    for keep in (False, True)
}

# Sent after an append commits, in a transaction of its own.
NOTIFY_APPENDED = "SELECT pg_notify('cso_events', '')"

SELECT_STREAM_VERSION = "SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1"

SELECT_SNAPSHOT = """
SELECT s.version, s.type, s.state::text AS state, s.hash, s.recorded_at,
       (SELECT e.recorded_at FROM events e WHERE e.stream_id = $1 AND e.version = 1)
         AS created_at
FROM snapshots s
WHERE s.stream_id = $1 AND s.version <= $2
ORDER BY s.version DESC LIMIT 1
"""

# The stream's version at a moment: the last version recorded by then. recorded_at need not
# grow with the version (an injected clock, a fail-over to another server's clock); a moment
# therefore names
# a version, and a replay takes every event up to it, never "the events recorded by then"
# (which could leave one out and break the replay).
SELECT_VERSION_AT = """
SELECT max(version) FROM events WHERE stream_id = $1 AND recorded_at <= $2
"""

# A key kept for a command that appended nothing; a key already kept stays as it was.
KEEP_IDEMPOTENCY_KEY = """
INSERT INTO idempotency_keys (key, result) VALUES ($1, $2::jsonb)
ON CONFLICT (key) DO NOTHING RETURNING key
"""

SELECT_IDEMPOTENCY_RESULT = "SELECT result FROM idempotency_keys WHERE key = $1"

EVENT_COLUMNS = """position, transaction_id, stream_id, stream_type, version, type, data,
  metadata, recorded_at, hash"""

SELECT_STREAM = f"""
SELECT {EVENT_COLUMNS} FROM events
WHERE stream_id = $1 AND version >= $2 AND version <= $3
ORDER BY version
"""

# The replay path reads data as text: the codec parses it once, straight into domain values.
SELECT_STREAM_RAW = """
SELECT version, type, data::text AS data, hash, recorded_at FROM events
WHERE stream_id = $1 AND version > $2 AND version <= $3
ORDER BY version
"""

# Commit order without gaps (DESIGN §2): every transaction below the snapshot's xmin has
# ended, so nothing can later appear behind (transaction_id, position).
SELECT_LOG_AFTER = f"""
SELECT {EVENT_COLUMNS} FROM events
WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
  AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY transaction_id, position
LIMIT $3
"""

SELECT_WATERMARK = "SELECT pg_snapshot_xmin(pg_current_snapshot())"

# Where a reader that wants only what comes next starts: the last event below the watermark,
# as the log reader sees it. (The newest row overall could sit past a transaction still in
# flight, whose events would then land behind the reader.)
SELECT_HEAD = """
SELECT transaction_id, position FROM events
WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY transaction_id DESC, position DESC LIMIT 1
"""

# The newest committed event, whether or not an older open transaction holds it back from
# readers: what "the log as it stands now" means to a process that waits to catch up.
SELECT_NEWEST = """
SELECT transaction_id, position FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1
"""

# Committed events after a reader's checkpoint that SELECT_LOG_AFTER does not return yet:
# they wait behind an older transaction still open (the watermark) and will be readable
# soon, with no NOTIFY to say so.
LOG_HELD_BACK = """
SELECT EXISTS (SELECT 1 FROM events WHERE (transaction_id, position) > ($1::xid8, $2::bigint))
"""

# Several commands' appends onto one stream, each idempotency key kept: migration 0016.
APPEND_BATCH = """
SELECT transaction_id, position, positions, hashes
FROM cso_append_batch($1::uuid[], $2::text[], $3::integer[], $4::text[], $5::text[],
                      $6::bytea[], $7::bytea[], $8::timestamptz[], $9::jsonb[], $10::boolean,
                      $11::integer[], $12::text[], $13::text[], $14::text[], $15::jsonb[],
                      $16::integer[])
"""
