-- A key per person, not per application (issue 7, DESIGN §6).
--
-- subject_secret: the district's secret (one row, 32 random bytes from the server's strong
-- random source, as gen_random_uuid draws them; never rotated): an applicant's subject id
-- is the HMAC-SHA256 of their ID number under it, so the same person is found again
-- without their ID number being stored in clear.
--
-- subject_keys holds several keys per subject: a person who applies again after erasure
-- gets a new key, and values sealed before (`pd2:<key id>:…`) name the destroyed one, so
-- they still read "[erased]". Rows from before keep their subject as their key id, which
-- is how `pd1:` values (sealed under the subject's one key) are still opened.
CREATE TABLE subject_secret (
  id     boolean PRIMARY KEY DEFAULT true CHECK (id),
  secret bytea NOT NULL
);
INSERT INTO subject_secret (secret)
VALUES (uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()));

ALTER TABLE subject_keys ADD COLUMN key_id uuid;
UPDATE subject_keys SET key_id = subject_id;
ALTER TABLE subject_keys ALTER COLUMN key_id SET NOT NULL;
ALTER TABLE subject_keys DROP CONSTRAINT subject_keys_pkey;
ALTER TABLE subject_keys ADD PRIMARY KEY (key_id);
CREATE INDEX subject_keys_subject ON subject_keys (subject_id, created_at);

-- The reservations that carry keys (migration 0009), now with key ids:
--
-- personal_data_key      '<subject>:<key id>:<key hex>': the key row; the reservation keeps
--                        '<subject>:<key id>'. ('<subject>:<key hex>' from older code: the
--                        subject is the key id.)
-- personal_data_erasure  '<subject>:<stream>' (or '<subject>'): every key of the subject
--                        goes, and their reservations; the row stays as the erasure's record.
-- personal_data_key_use  '<key id>': a command seals under an existing key (a person's
--                        next application). Nothing is stored; the key row is share-locked,
--                        so an erasure after this waits and takes the new data with it. If
--                        an erasure destroyed the key since the command read it, the append
--                        fails as a conflict (a unique violation outside the reservations'
--                        key), and the command re-runs under a new key.
-- open_housing_application_ended  '<subject>': nothing is stored; the subject's open
--                        application reservation held by this stream is released (a
--                        rejection or a move-out, in the same transaction as its event).
CREATE OR REPLACE FUNCTION personal_data_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  subject uuid := split_part(NEW.value, ':', 1)::uuid;
BEGIN
  IF NEW.scope = 'personal_data_key' THEN
    IF split_part(NEW.value, ':', 3) = '' THEN
      INSERT INTO subject_keys (subject_id, key_id, key)
      VALUES (subject, subject, decode(split_part(NEW.value, ':', 2), 'hex'));
      NEW.value := subject::text;
    ELSE
      INSERT INTO subject_keys (subject_id, key_id, key)
      VALUES (subject, split_part(NEW.value, ':', 2)::uuid,
              decode(split_part(NEW.value, ':', 3), 'hex'));
      NEW.value := subject::text || ':' || split_part(NEW.value, ':', 2);
    END IF;
  ELSIF NEW.scope = 'personal_data_erasure' THEN
    DELETE FROM subject_keys WHERE subject_id = subject;
    DELETE FROM reservations
    WHERE scope = 'personal_data_key' AND split_part(value, ':', 1) = subject::text;
  ELSIF NEW.scope = 'personal_data_key_use' THEN
    PERFORM 1 FROM subject_keys WHERE key_id = NEW.value::uuid FOR KEY SHARE;
    IF NOT FOUND THEN
      RAISE unique_violation USING CONSTRAINT = 'subject_keys_pkey',
        MESSAGE = format('key %s was destroyed by an erasure since it was read', NEW.value);
    END IF;
    RETURN NULL;
  ELSIF NEW.scope = 'open_housing_application_ended' THEN
    DELETE FROM reservations
    WHERE scope = 'open_housing_application_of_applicant' AND value = subject::text
      AND stream_id = NEW.stream_id;
    RETURN NULL;
  END IF;
  RETURN NEW;
END
$$;

DROP TRIGGER reservations_personal_data_keys ON reservations;
CREATE TRIGGER reservations_personal_data_keys
BEFORE INSERT ON reservations
FOR EACH ROW
WHEN (NEW.scope IN ('personal_data_key', 'personal_data_erasure', 'personal_data_key_use',
                    'open_housing_application_ended'))
EXECUTE FUNCTION personal_data_key_change();
