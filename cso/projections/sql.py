"""The runner's and the supervisor's SQL."""

# The log in commit order after ($1, $2), at most $3 events (as the event store reads it, see
# cso/eventstore/sql.py), on the runner's own connection: no wait for a pool that requests
# have drained. Of those, only the events of the types the projection handles ($4) come back,
# with their data and metadata (as text: that connection has no JSON codec), and the last one
# whatever its type, without them, so that the checkpoint moves past the others: those cost
# the runner neither transfer nor parsing, nor the server a copy of their data.
# First the read's last event (`b`): the $3-th after the checkpoint if the log has that many
# (`has_more`), else the newest one the watermark lets through; both found on the
# commit-order index alone. Then one scan of that index up to it, in order, filtered: no
# join back to the events by position and no sort of their data, which cost a read about
# twice as much server time. (The scan's order is the lateral subquery's, which its one-row
# outer side keeps; a final ORDER BY would sort the events' data again. reading.py checks
# the order.) reading.py takes the columns by position, in this order.
SELECT_LOG_AFTER = """
SELECT e.position, e.transaction_id, e.stream_id, e.stream_type, e.version, e.type,
       CASE WHEN e.type = ANY($4::text[]) THEN e.data::text END AS data,
       CASE WHEN e.type = ANY($4::text[]) THEN e.metadata::text END AS metadata,
       e.recorded_at, e.hash, b.has_more
FROM (
  (SELECT transaction_id, position, true AS has_more FROM events
    WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
      AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY transaction_id, position
    OFFSET $3 - 1 LIMIT 1)
  UNION ALL
  (SELECT transaction_id, position, false FROM events
    WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY transaction_id DESC, position DESC
    LIMIT 1)
  ORDER BY has_more DESC  -- the $3-th when there is one, whatever order Append keeps
  LIMIT 1
) AS b
CROSS JOIN LATERAL (
  SELECT * FROM events e
  WHERE (e.transaction_id, e.position) > ($1::xid8, $2::bigint)
    AND (e.transaction_id, e.position) <= (b.transaction_id, b.position)
    AND (e.type = ANY($4::text[])
         OR (e.transaction_id, e.position) = (b.transaction_id, b.position))
  ORDER BY e.transaction_id, e.position
  LIMIT $3
) AS e
"""

SELECT_CHECKPOINT = "SELECT transaction_id, position FROM projection_checkpoints WHERE name = $1"

SELECT_CHECKPOINTS = """
SELECT name, transaction_id, position FROM projection_checkpoints WHERE name = ANY($1::text[])
"""

# Compare-and-set, in the batch's transaction: the checkpoint moves only from where this
# runner found it ($2, $3) to the batch's last event ($4, $5). Under the advisory lock that
# always holds; should a second writer ever get in, its batch rolls back instead of doubling.
ADVANCE_CHECKPOINT = """
INSERT INTO projection_checkpoints AS c (name, transaction_id, position, updated_at)
VALUES ($1, $4::xid8, $5, now())
ON CONFLICT (name) DO UPDATE
  SET transaction_id = excluded.transaction_id, position = excluded.position,
      updated_at = now(), last_error = NULL, error_position = NULL, error_since = NULL,
      failures = 0
  WHERE c.transaction_id = $2::xid8 AND c.position = $3
RETURNING true
"""

# After a failed batch rolled back: what failed, on which event, since when, how often.
RECORD_FAILURE = """
INSERT INTO projection_checkpoints AS c
  (name, transaction_id, position, last_error, error_position, error_since, failures)
VALUES ($1, '0', 0, $2, $3, $4, $5)
ON CONFLICT (name) DO UPDATE
  SET last_error = excluded.last_error, error_position = excluded.error_position,
      error_since = excluded.error_since, failures = excluded.failures
"""

# The checkpoint and the wake-up for other processes' waiters in one round trip: a row (and
# the notification) only when the checkpoint moved.
ADVANCE_AND_NOTIFY = f"""
WITH advanced AS ({ADVANCE_CHECKPOINT})
SELECT pg_notify('cso_projections', $1) FROM advanced
"""

# A projection without a row is at the start of the log. The lag in seconds is the age of the
# oldest event it has not applied yet (0 when it is caught up).
SELECT_STATUS = """
SELECT n.name,
       coalesce(c.position, 0) AS position,
       c.last_error, c.error_position, coalesce(c.failures, 0) AS failures,
       (SELECT count(*) FROM events e
         WHERE (e.transaction_id, e.position)
             > (coalesce(c.transaction_id, '0'::xid8), coalesce(c.position, 0))) AS lag_events,
       coalesce((SELECT greatest(extract(epoch FROM now() - e.recorded_at), 0)::float8
                   FROM events e
                  WHERE (e.transaction_id, e.position)
                      > (coalesce(c.transaction_id, '0'::xid8), coalesce(c.position, 0))
                  ORDER BY e.transaction_id, e.position
                  LIMIT 1), 0) AS lag_seconds
FROM unnest($1::text[]) WITH ORDINALITY AS n(name, ord)
LEFT JOIN projection_checkpoints c ON c.name = n.name
ORDER BY n.ord
"""
