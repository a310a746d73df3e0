-- Who extended a posting's term, as their token named them (issue 9's review): a
-- supervisor is no registered officer, so `by_id` alone leaves most extensions unnamed.
-- NULL in rows projected before; a rebuild fills them from each event's metadata.

ALTER TABLE rm_posting_extensions
  ADD COLUMN actor_id text,
  ADD COLUMN actor_role text,
  ADD COLUMN actor_name text;
