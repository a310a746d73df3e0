-- The event log (DESIGN §2), its snapshots, idempotency keys and uniqueness reservations.

CREATE TABLE events (
  position       bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  transaction_id xid8   NOT NULL DEFAULT pg_current_xact_id(),
  stream_id      uuid   NOT NULL,
  stream_type    text   NOT NULL,
  version        integer NOT NULL CHECK (version > 0),
  type           text   NOT NULL,
  data           jsonb  NOT NULL,
  metadata       jsonb  NOT NULL,
  recorded_at    timestamptz NOT NULL,
  hash           bytea  NOT NULL,
  PRIMARY KEY (stream_id, version)
);
CREATE INDEX events_commit_order ON events (transaction_id, position);

CREATE FUNCTION events_are_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER events_no_update_or_delete
  BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_are_append_only();

-- Versions are contiguous per stream: the database itself refuses a gap.
CREATE FUNCTION events_follow_previous_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.version > 1 AND NOT EXISTS (
    SELECT 1 FROM events WHERE stream_id = NEW.stream_id AND version = NEW.version - 1
  ) THEN
    RAISE EXCEPTION 'stream % has no version %', NEW.stream_id, NEW.version - 1
      USING ERRCODE = 'CS409';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER events_no_version_gap
  BEFORE INSERT ON events
  FOR EACH ROW EXECUTE FUNCTION events_follow_previous_version();

CREATE TRIGGER events_no_truncate
  BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();

CREATE TABLE snapshots (
  stream_id   uuid    NOT NULL,
  version     integer NOT NULL,
  type        text    NOT NULL,
  state       jsonb   NOT NULL,
  recorded_at timestamptz NOT NULL,
  hash        bytea   NOT NULL,  -- the hash of the event at this version, to go on chaining
  PRIMARY KEY (stream_id, version)
);

CREATE TABLE idempotency_keys (
  key            text  PRIMARY KEY,
  transaction_id xid8  NOT NULL DEFAULT pg_current_xact_id(),
  result         jsonb NOT NULL,
  recorded_at    timestamptz NOT NULL DEFAULT now()
);

-- Uniqueness across aggregates, written in the same transaction as the events.
CREATE TABLE reservations (
  scope     text NOT NULL,
  value     text NOT NULL,
  stream_id uuid NOT NULL,
  PRIMARY KEY (scope, value)
);
