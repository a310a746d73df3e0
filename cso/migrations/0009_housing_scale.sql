-- Personal-data keys (DESIGN §6) change in the same transaction as the events that need
-- them (issue 7). The event store appends a command's events and its reservations in one
-- transaction, so keys travel as reservations and this trigger turns them into key rows:
--
-- personal_data_key      value '<subject uuid>:<key hex>' on the command that first seals
--                        the subject's data: the key goes to subject_keys, and the
--                        reservation keeps only the subject (one key per subject, owned by
--                        the stream). A command that fails leaves no key behind.
-- personal_data_erasure  value '<subject uuid>' with the erasure's event: the key (and its
--                        reservation) are deleted. The erasure's record and the key's
--                        destruction commit together or not at all; the row stays as the
--                        subject's erasure, so a second one is refused by the store.

CREATE FUNCTION personal_data_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.scope = 'personal_data_key' THEN
    INSERT INTO subject_keys (subject_id, key)
    VALUES (split_part(NEW.value, ':', 1)::uuid, decode(split_part(NEW.value, ':', 2), 'hex'));
    NEW.value := split_part(NEW.value, ':', 1);
  ELSIF NEW.scope = 'personal_data_erasure' THEN
    DELETE FROM subject_keys WHERE subject_id = NEW.value::uuid;
    DELETE FROM reservations WHERE scope = 'personal_data_key' AND value = NEW.value;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER reservations_personal_data_keys
BEFORE INSERT ON reservations
FOR EACH ROW
WHEN (NEW.scope IN ('personal_data_key', 'personal_data_erasure'))
EXECUTE FUNCTION personal_data_key_change();

-- The waitlist at the seeds' scale (20,000 waiting). A page in the waitlist's order reads
-- the index instead of sorting every application (each row's position counts on the
-- partial index rm_housing_applications_waitlist). An application's row is rewritten on
-- each of its steps, so vacuum runs on a twentieth of the rows changed, not a fifth.
CREATE INDEX rm_housing_applications_waitlist_page
  ON rm_housing_applications ((coalesce(waitlist_order, 9223372036854775807)), id);
ALTER TABLE rm_housing_applications
  SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02);
