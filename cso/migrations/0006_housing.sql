-- Talent housing (issue 7): the read models of the "housing" projection. What the domain
-- decides is stored: a unit's capacity (the largest household it fits), an application's
-- place in the waitlist's order, and whether its allocation passed over earlier applications.
-- Personal data (DESIGN §6): one AES-GCM key per person; events and read models hold only
-- ciphertext sealed under it, and erasure deletes the key. The access log's read model.

CREATE TABLE subject_keys (
  subject_id uuid PRIMARY KEY,
  key        bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rm_personal_data_accesses (
  position       bigint NOT NULL,   -- the access event's log position
  at             timestamptz NOT NULL,
  actor_id       text NOT NULL,
  actor_role     text NOT NULL,
  actor_name     text NOT NULL,
  subject_id     uuid NOT NULL,
  subject_type   text NOT NULL,
  fields         text[] NOT NULL,
  correlation_id text,
  PRIMARY KEY (position, subject_id)
);
CREATE INDEX rm_personal_data_accesses_at ON rm_personal_data_accesses (at, position, subject_id);
CREATE INDEX rm_personal_data_accesses_subject ON rm_personal_data_accesses (subject_id, at);
CREATE INDEX rm_personal_data_accesses_actor ON rm_personal_data_accesses (actor_id, at);

CREATE TABLE rm_housing_units (
  id             uuid PRIMARY KEY,
  building       text    NOT NULL,
  unit_no        text    NOT NULL,
  rooms          integer NOT NULL,
  area_sqm       numeric NOT NULL,
  monthly_rent   numeric NOT NULL,
  capacity       integer NOT NULL,  -- as housing_unit.capacity decides (2 × rooms)
  status         text    NOT NULL,
  application_id uuid,
  version        integer NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
CREATE INDEX rm_housing_units_created ON rm_housing_units (created_at, id);
CREATE INDEX rm_housing_units_building ON rm_housing_units (building, unit_no);
CREATE INDEX rm_housing_units_available ON rm_housing_units (monthly_rent, id)
  WHERE status = 'AVAILABLE';

CREATE TABLE rm_housing_applications (
  id                     uuid PRIMARY KEY,
  applicant_id           uuid    NOT NULL,  -- whose key seals the three fields below
  applicant_name         text    NOT NULL,  -- sealed (ciphertext), as in the events
  id_number              text    NOT NULL,
  phone                  text    NOT NULL,
  employer_id            uuid    NOT NULL,
  tier                   text    NOT NULL,
  household_size         integer NOT NULL,
  status                 text    NOT NULL,
  caso_id                uuid,
  unit_id                uuid,
  submitted_on           date    NOT NULL,
  waitlist_order         bigint,  -- as waitlist.waitlist_order decides; set while waiting
  allocated_on           date,
  allocation_position    integer,
  passed_over            jsonb,   -- [{id, tier, waitlist_position}] as the allocation recorded
  allocation_reason      text,
  allocated_out_of_order boolean NOT NULL DEFAULT false,
  lease_end              date,
  moved_in_on            date,
  ended_on               date,
  erased                 boolean NOT NULL DEFAULT false,
  version                integer NOT NULL,
  created_at             timestamptz NOT NULL,
  updated_at             timestamptz NOT NULL
);
CREATE INDEX rm_housing_applications_created ON rm_housing_applications (created_at, id);
CREATE INDEX rm_housing_applications_caso ON rm_housing_applications (caso_id);
CREATE INDEX rm_housing_applications_status ON rm_housing_applications (status, tier);
CREATE INDEX rm_housing_applications_waitlist ON rm_housing_applications (waitlist_order)
  WHERE waitlist_order IS NOT NULL;
CREATE INDEX rm_housing_applications_out_of_order ON rm_housing_applications (created_at, id)
  WHERE allocated_out_of_order;
CREATE INDEX rm_housing_applications_lease_end ON rm_housing_applications (lease_end);
