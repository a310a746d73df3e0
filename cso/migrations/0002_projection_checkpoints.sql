-- Where each projection has read the log up to (DESIGN §3). The runner writes the checkpoint
-- in the same transaction as the batch it applied, so every event is applied exactly once.
-- A projection without a row is at the start of the log; (0, 0) means the same.
CREATE TABLE projection_checkpoints (
  name           text        PRIMARY KEY,
  transaction_id xid8        NOT NULL,
  position       bigint      NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  -- The failure holding the projection back, if any: written after the failed batch rolled
  -- back, cleared by the next batch that commits. The runner retries; it never skips.
  last_error     text,
  error_position bigint,       -- the event whose handler failed
  error_since    timestamptz,  -- first failure on that event
  failures       integer     NOT NULL DEFAULT 0  -- consecutive failures on that event
);
