-- Talent housing (issue 7): the read models of the "housing" projection. What the domain
-- decides is stored: a unit's capacity (the largest household it fits), an application's
-- place in the waitlist's order, and whether its allocation passed over earlier applications.

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
  applicant_name         text    NOT NULL,
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
