-- One round trip per append: events, hash chain, snapshots, reservations, idempotency key
-- and the wake-up NOTIFY in a single call, atomic as one statement.
--
-- The hash chain stays what cso/eventstore/hashing.py defines: sha256 over the previous
-- hash and the event's canonical encoding. The caller sends each encoding cut in two around
-- its recorded_at text (head, tail), so the time can be the database's own, taken here, and
-- still be covered by the hash; the format matches Python's isoformat(timespec=microseconds)
-- in UTC. A caller with a clock of its own (the seed, tests) sends its times instead.

CREATE FUNCTION cso_append(
  p_stream_ids    uuid[],
  p_stream_types  text[],
  p_versions      integer[],
  p_types         text[],
  p_datas         text[],
  p_heads         bytea[],
  p_tails         bytea[],
  p_times         timestamptz[],  -- NULL: the database's clock
  p_metadatas     jsonb[],        -- each event's (an append's events share theirs)
  p_notify        boolean,
  p_res_scopes    text[],
  p_res_values    text[],
  p_res_streams   uuid[],
  p_rel_scopes    text[],
  p_rel_values    text[],
  p_rel_streams   uuid[],
  p_snap_events   integer[],      -- for each snapshot, the index of the event it follows
  p_snap_types    text[],
  p_snap_states   text[],
  p_key           text,
  p_result        jsonb,          -- what to keep under p_key, less the checkpoint
  OUT transaction_id xid8,
  OUT "position"     bigint,         -- the last event's
  OUT positions      bigint[],       -- each event's, in the order given
  OUT hashes         bytea[],
  OUT recorded_at    timestamptz[]
)
LANGUAGE plpgsql AS $$
DECLARE
  v_now      timestamptz := clock_timestamp();
  v_count    integer := cardinality(p_stream_ids);
  v_previous bytea;
  v_at       timestamptz;
BEGIN
  hashes := array_fill(NULL::bytea, ARRAY[v_count]);
  recorded_at := array_fill(NULL::timestamptz, ARRAY[v_count]);
  FOR i IN 1 .. v_count LOOP
    IF i > 1 AND p_stream_ids[i] = p_stream_ids[i - 1] THEN
      v_previous := hashes[i - 1];
    ELSIF p_versions[i] = 1 THEN
      v_previous := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    ELSE
      SELECT e.hash INTO v_previous FROM events e
      WHERE e.stream_id = p_stream_ids[i] AND e.version = p_versions[i] - 1;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'stream % has no version %', p_stream_ids[i], p_versions[i] - 1
          USING ERRCODE = 'CS409';
      END IF;
    END IF;
    v_at := coalesce(p_times[i], v_now);
    recorded_at[i] := v_at;
    hashes[i] := sha256(
      v_previous || p_heads[i]
      || convert_to(to_char(v_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'), 'UTF8')
      || p_tails[i]
    );
  END LOOP;

  WITH inserted AS (
    INSERT INTO events AS ev
      (stream_id, stream_type, version, type, data, metadata, recorded_at, hash)
    SELECT e.stream_id, e.stream_type, e.version, e.type, e.data::jsonb, e.metadata,
           e.recorded_at, e.hash
    FROM unnest(p_stream_ids, p_stream_types, p_versions, p_types, p_datas, p_metadatas,
                recorded_at, hashes)
         WITH ORDINALITY AS e(stream_id, stream_type, version, type, data, metadata,
                              recorded_at, hash, n)
    ORDER BY e.n
    RETURNING ev.position
  )
  -- Rows are inserted in the order given, so their positions ascend with it.
  SELECT array_agg(inserted.position ORDER BY inserted.position) INTO positions FROM inserted;
  "position" := positions[v_count];
  transaction_id := pg_current_xact_id();

  IF cardinality(p_rel_scopes) > 0 THEN
    DELETE FROM reservations r
    USING unnest(p_rel_scopes, p_rel_values, p_rel_streams) AS x(scope, value, stream_id)
    WHERE r.scope = x.scope AND r.value = x.value AND r.stream_id = x.stream_id;
  END IF;
  IF cardinality(p_res_scopes) > 0 THEN
    INSERT INTO reservations (scope, value, stream_id)
    SELECT * FROM unnest(p_res_scopes, p_res_values, p_res_streams);
  END IF;
  IF cardinality(p_snap_events) > 0 THEN
    INSERT INTO snapshots (stream_id, version, type, state, recorded_at, hash)
    SELECT p_stream_ids[s.event], p_versions[s.event], s.type, s.state::jsonb,
           recorded_at[s.event], hashes[s.event]
    FROM unnest(p_snap_events, p_snap_types, p_snap_states) AS s(event, type, state)
    ON CONFLICT DO NOTHING;
  END IF;
  IF p_key IS NOT NULL THEN
    INSERT INTO idempotency_keys (key, result)
    VALUES (p_key, p_result || jsonb_build_object(
      'transaction_id', transaction_id::text::bigint, 'position', "position"));
  END IF;
  IF p_notify THEN
    PERFORM pg_notify('cso_events', '');
  END IF;
END;
$$;
