-- Several commands' appends onto one stream as one statement (cso/services/pipeline.py):
-- the events as cso_append takes them, each command's metadata with its own events, and
-- the idempotency key of each command that brought one, kept with that command's result in
-- the same transaction. Each key's result carries the checkpoint of its command's last
-- event, the one that command is answered with.

CREATE FUNCTION cso_append_batch(
  p_stream_ids    uuid[],
  p_stream_types  text[],
  p_versions      integer[],
  p_types         text[],
  p_datas         text[],
  p_heads         bytea[],
  p_tails         bytea[],
  p_times         timestamptz[],
  p_metadatas     jsonb[],
  p_notify        boolean,
  p_snap_events   integer[],
  p_snap_types    text[],
  p_snap_states   text[],
  p_keys          text[],
  p_results       jsonb[],        -- what to keep under each key, less the checkpoint
  p_key_events    integer[],      -- for each key, the index of its command's last event
  OUT transaction_id xid8,
  OUT "position"     bigint,
  OUT positions      bigint[],
  OUT hashes         bytea[],
  OUT recorded_at    timestamptz[]
)
LANGUAGE plpgsql AS $$
BEGIN
  SELECT a.transaction_id, a."position", a.positions, a.hashes, a.recorded_at
  INTO transaction_id, "position", positions, hashes, recorded_at
  FROM cso_append(p_stream_ids, p_stream_types, p_versions, p_types, p_datas, p_heads,
                  p_tails, p_times, p_metadatas, p_notify, '{}', '{}', '{}', '{}', '{}', '{}',
                  p_snap_events, p_snap_types, p_snap_states, NULL, NULL) AS a;
  IF cardinality(p_keys) > 0 THEN
    INSERT INTO idempotency_keys (key, result)
    SELECT k.key, k.result || jsonb_build_object(
      'transaction_id', transaction_id::text::bigint, 'position', positions[k.event])
    FROM unnest(p_keys, p_results, p_key_events) AS k(key, result, event);
  END IF;
END;
$$;
