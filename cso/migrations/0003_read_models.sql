-- Read models for officers, chains, enterprises and projects (DESIGN §3).
-- Only projection handlers write these tables; the API only reads them.
-- Every aggregate row carries its stream's `version`, the first event's `recorded_at` as
-- `created_at` and the latest event's as `updated_at`. Enums are stored by name.
-- No column is narrower than what an event may hold: a value the domain accepted but a
-- column refused would halt its projection for good. Text is `text`; amounts and counts the
-- domain bounds only from below are `numeric`; `integer` holds only what is bounded by a
-- stream's version (itself an integer in `events`) or by a small domain range.

-- projection "officers"
CREATE TABLE rm_officers (
  id                uuid PRIMARY KEY,
  name              text    NOT NULL,
  department        text    NOT NULL,
  roles             text[]  NOT NULL,
  party_member      boolean NOT NULL,
  phone             text    NOT NULL,
  active            boolean NOT NULL DEFAULT true,
  active_posting_id uuid,
  version           integer NOT NULL,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL
);
CREATE INDEX rm_officers_created ON rm_officers (created_at, id);
-- The UPDATED_AT ordering. Officers change rarely, so the HOT updates this index costs are few.
CREATE INDEX rm_officers_updated ON rm_officers (updated_at, id);
CREATE INDEX rm_officers_name ON rm_officers (name, id);
CREATE INDEX rm_officers_department ON rm_officers (department, created_at, id);

-- projection "chains"
CREATE TABLE rm_chains (
  id              uuid PRIMARY KEY,
  name            text    NOT NULL,
  leader          text    NOT NULL,
  lead_department text    NOT NULL,
  master_ids      uuid[]  NOT NULL DEFAULT '{}',  -- chain masters (链主), in designation order
  version         integer NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);

-- projection "enterprises"
CREATE TABLE rm_enterprises (
  id                 uuid PRIMARY KEY,
  name               text    NOT NULL,
  credit_code        text    NOT NULL,
  district           text    NOT NULL,
  park               text,
  sme                boolean NOT NULL,
  chain_id           uuid,
  party_organization text    NOT NULL DEFAULT 'NONE',
  party_member_count numeric NOT NULL DEFAULT 0,  -- whole; the domain sets no upper bound
  active_posting_id  uuid,
  version            integer NOT NULL,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL
);
CREATE INDEX rm_enterprises_created ON rm_enterprises (created_at, id);
-- The UPDATED_AT ordering; enterprises change rarely (party organisation, postings).
CREATE INDEX rm_enterprises_updated ON rm_enterprises (updated_at, id);
CREATE INDEX rm_enterprises_name ON rm_enterprises (name, id);
CREATE INDEX rm_enterprises_chain ON rm_enterprises (chain_id);
CREATE INDEX rm_enterprises_district ON rm_enterprises (district);
CREATE INDEX rm_enterprises_credit_code ON rm_enterprises (credit_code);

-- projection "projects": the tables below, all written by one runner.

-- Each enterprise's district, from its Registered event: the projects projection keeps its
-- own copy so that it never depends on how far the enterprises runner has got.
CREATE TABLE rm_project_enterprises (
  enterprise_id uuid PRIMARY KEY,
  district      text NOT NULL
);

CREATE TABLE rm_projects (
  id                      uuid PRIMARY KEY,
  enterprise_id           uuid    NOT NULL,
  name                    text    NOT NULL,
  investment              numeric NOT NULL,  -- 万元, as the event holds it
  chain_id                uuid,
  district                text,            -- the enterprise's, kept here for filtering
  latest_milestone        text    NOT NULL,
  stage                   text    NOT NULL,  -- the latest milestone, or CLOSED
  signed_on               date    NOT NULL,
  construction_started_on date,
  cso_id                  uuid,            -- the active CSO
  closed                  boolean NOT NULL DEFAULT false,
  outcome                 text,
  close_reason            text,
  closed_at               timestamptz,
  open_requests           integer NOT NULL DEFAULT 0,  -- requests not resolved
  next_due_on             date,            -- earliest due date among unresolved requests
  latest_service_on       date,
  service_count           integer NOT NULL DEFAULT 0,
  version                 integer NOT NULL,
  created_at              timestamptz NOT NULL,
  updated_at              timestamptz NOT NULL
);
-- Orderings for the lists use columns that never change after registration, with one
-- exception: UPDATED_AT has no index on purpose. Every project event sets updated_at, and an
-- index on it would turn each of those updates from HOT (no index touched) into one that
-- writes an entry in every index below. A page by UPDATED_AT instead reads the rows that
-- match the filter and keeps the top few (a bounded top-N sort): about 12 ms a page over
-- 20,000 projects, several times what one district has. Should that stop being true, add
-- (updated_at, id) and measure the projection's throughput against it.
CREATE INDEX rm_projects_created ON rm_projects (created_at, id);
CREATE INDEX rm_projects_name ON rm_projects (name, id);
CREATE INDEX rm_projects_signed ON rm_projects (signed_on, id);
CREATE INDEX rm_projects_investment ON rm_projects (investment, id);
CREATE INDEX rm_projects_stage ON rm_projects (stage);
CREATE INDEX rm_projects_cso ON rm_projects (cso_id);
CREATE INDEX rm_projects_enterprise ON rm_projects (enterprise_id);
CREATE INDEX rm_projects_chain ON rm_projects (chain_id);
CREATE INDEX rm_projects_district ON rm_projects (district);
CREATE INDEX rm_projects_next_due ON rm_projects (next_due_on) WHERE next_due_on IS NOT NULL;

CREATE TABLE rm_project_milestones (
  project_id  uuid    NOT NULL,
  milestone   text    NOT NULL,
  rank        integer NOT NULL,  -- 0 for SIGNED … 5 for OPERATING
  reached_on  date    NOT NULL,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (project_id, milestone)
);

-- A project's CSOs, oldest first; the row with end_on NULL is the active one.
CREATE TABLE rm_cso_assignments (
  project_id  uuid    NOT NULL,
  seq         integer NOT NULL,  -- the project version that made the assignment
  officer_id  uuid    NOT NULL,
  start_on    date    NOT NULL,
  end_on      date,
  reason      text,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (project_id, seq)
);
CREATE INDEX rm_cso_assignments_officer ON rm_cso_assignments (officer_id);

CREATE TABLE rm_service_plan (
  project_id   uuid    NOT NULL,
  seq          integer NOT NULL,  -- the item's place in the plan, from 0
  item         text    NOT NULL,
  completed    boolean NOT NULL DEFAULT false,
  completed_at timestamptz,
  PRIMARY KEY (project_id, item)
);

-- The service timeline: one row per service record.
CREATE TABLE rm_services (
  id          uuid PRIMARY KEY,
  project_id  uuid NOT NULL,
  kind        text NOT NULL,
  summary     text NOT NULL,
  occurred_on date NOT NULL,
  officer_id  uuid NOT NULL,
  recorded_at timestamptz NOT NULL,
  position    bigint NOT NULL  -- the event's place in the log: ties on occurred_on
);
CREATE INDEX rm_services_timeline ON rm_services (project_id, occurred_on DESC, position DESC);
CREATE INDEX rm_services_officer ON rm_services (officer_id, occurred_on DESC);

CREATE TABLE rm_requests (
  id           uuid PRIMARY KEY,
  project_id   uuid    NOT NULL,
  seq          integer NOT NULL,  -- the project version that raised it: orders a project's list
  category     text    NOT NULL,
  description  text    NOT NULL,
  status       text    NOT NULL,
  departments  text[]  NOT NULL DEFAULT '{}',
  raised_on    date    NOT NULL,
  due_on       date    NOT NULL,
  resolution   text,
  resolved_on  date,
  satisfaction integer,
  version      integer NOT NULL,  -- the project version that last changed it
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX rm_requests_project ON rm_requests (project_id, seq);
CREATE INDEX rm_requests_unresolved ON rm_requests (due_on) WHERE status <> 'RESOLVED';

-- For the audit queries: who did what, and everything one request caused.
CREATE INDEX events_actor ON events ((metadata -> 'actor' ->> 'id'), position);
CREATE INDEX events_correlation ON events ((metadata ->> 'correlation_id'));
CREATE INDEX events_recorded_at ON events (recorded_at);
