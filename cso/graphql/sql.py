"""Event-log lookups for histories and audit; always parameterised.

Read-model queries live with their read models, under `cso.projections`."""

from cso.eventstore.sql import EVENT_COLUMNS

# Streams' events up to a version each (n: which request): a replayed object stops early,
# and a current one leaves out what was appended after the read model it came from.
HISTORY_BY_STREAM = """
SELECT k.n, e.position, e.transaction_id, e.stream_id, e.stream_type, e.version, e.type,
  e.data, e.metadata, e.recorded_at, e.hash
FROM unnest($1::uuid[], $2::integer[]) WITH ORDINALITY AS k(stream_id, up_to, n)
JOIN events e ON e.stream_id = k.stream_id AND e.version <= k.up_to
ORDER BY k.n, e.version
"""

EVENTS_BY_CORRELATION = f"""
SELECT {EVENT_COLUMNS} FROM events WHERE metadata ->> 'correlation_id' = $1 ORDER BY position
"""
