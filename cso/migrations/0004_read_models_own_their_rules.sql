-- Read models that store what the domain decides (issue 6): a request's `overdue_from` and
-- `joint`, an enterprise's two coverages, a project's stage, CSO since, service figures and
-- its earliest `overdue_from`; rows of a project's lists record the stream version that wrote
-- them, so time travel reads them as they were at any version.
--
-- The tables of the "projects" and "enterprises" projections change shape, so they are
-- dropped and made again, and those projections' checkpoints are deleted: their runners then
-- rebuild them from the log. Project snapshots are deleted too, because the Project aggregate
-- no longer keeps its service timeline or past CSO terms: loads replay from the log and the
-- next snapshots are lean.

DELETE FROM projection_checkpoints WHERE name IN ('projects', 'enterprises');
DELETE FROM snapshots
WHERE stream_id IN (SELECT DISTINCT stream_id FROM events WHERE stream_type = 'Project');

-- projection "enterprises"
DROP TABLE rm_enterprises;
CREATE TABLE rm_enterprises (
  id                   uuid PRIMARY KEY,
  name                 text    NOT NULL,
  credit_code          text    NOT NULL,
  district             text    NOT NULL,
  park                 text,
  sme                  boolean NOT NULL,
  chain_id             uuid,
  party_organization   text    NOT NULL DEFAULT 'NONE',
  party_member_count   numeric NOT NULL DEFAULT 0,  -- whole; the domain sets no upper bound
  active_posting_id    uuid,
  organisation_covered boolean NOT NULL,  -- as Enterprise.organisation_covered decides
  work_covered         boolean NOT NULL,  -- as Enterprise.work_covered decides
  version              integer NOT NULL,
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL
);
CREATE INDEX rm_enterprises_created ON rm_enterprises (created_at, id);
CREATE INDEX rm_enterprises_updated ON rm_enterprises (updated_at, id);
CREATE INDEX rm_enterprises_name ON rm_enterprises (name, id);
CREATE INDEX rm_enterprises_chain ON rm_enterprises (chain_id);
CREATE INDEX rm_enterprises_district ON rm_enterprises (district);
CREATE INDEX rm_enterprises_credit_code ON rm_enterprises (credit_code);

-- projection "projects"
DROP TABLE rm_project_enterprises, rm_projects, rm_project_milestones, rm_cso_assignments,
  rm_service_plan, rm_services, rm_requests;

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
  stage                   text    NOT NULL,  -- as the domain's project_stage decides
  signed_on               date    NOT NULL,
  construction_started_on date,
  cso_id                  uuid,            -- the active CSO
  cso_since               date,            -- the day the active CSO's term began
  cso_terms               integer NOT NULL DEFAULT 0,
  closed                  boolean NOT NULL DEFAULT false,
  outcome                 text,
  close_reason            text,
  closed_at               timestamptz,
  open_requests           integer NOT NULL DEFAULT 0,  -- requests not resolved
  overdue_from            date,            -- earliest overdue_from among its requests
  latest_service_on       date,
  service_count           integer NOT NULL DEFAULT 0,
  version                 integer NOT NULL,
  created_at              timestamptz NOT NULL,
  updated_at              timestamptz NOT NULL
);
-- UPDATED_AT has no index on purpose: see 0003.
CREATE INDEX rm_projects_created ON rm_projects (created_at, id);
CREATE INDEX rm_projects_name ON rm_projects (name, id);
CREATE INDEX rm_projects_signed ON rm_projects (signed_on, id);
CREATE INDEX rm_projects_investment ON rm_projects (investment, id);
CREATE INDEX rm_projects_stage ON rm_projects (stage);
CREATE INDEX rm_projects_cso ON rm_projects (cso_id);
CREATE INDEX rm_projects_enterprise ON rm_projects (enterprise_id);
CREATE INDEX rm_projects_chain ON rm_projects (chain_id);
CREATE INDEX rm_projects_district ON rm_projects (district);
CREATE INDEX rm_projects_overdue ON rm_projects (overdue_from) WHERE overdue_from IS NOT NULL;

CREATE TABLE rm_project_milestones (
  project_id  uuid    NOT NULL,
  milestone   text    NOT NULL,
  rank        integer NOT NULL,  -- 0 for SIGNED … 5 for OPERATING
  reached_on  date    NOT NULL,
  version     integer NOT NULL,  -- the project version that reached it
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (project_id, milestone)
);

-- A project's CSO terms, oldest first; a term ends when the next one starts.
CREATE TABLE rm_cso_assignments (
  project_id  uuid    NOT NULL,
  version     integer NOT NULL,  -- the project version that made the assignment
  officer_id  uuid    NOT NULL,
  start_on    date    NOT NULL,
  reason      text,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (project_id, version)
);
CREATE INDEX rm_cso_assignments_officer ON rm_cso_assignments (officer_id);

-- The whole (bounded) plan as each plan event left it: a version reads the latest row at or
-- before it.
CREATE TABLE rm_service_plans (
  project_id      uuid    NOT NULL,
  version         integer NOT NULL,
  items           text[]  NOT NULL,  -- in the plan's order
  completed_items text[]  NOT NULL,
  recorded_at     timestamptz NOT NULL,
  PRIMARY KEY (project_id, version)
);

CREATE TABLE rm_services (
  id          uuid PRIMARY KEY,
  project_id  uuid    NOT NULL,
  version     integer NOT NULL,  -- the project version that recorded it
  kind        text    NOT NULL,
  summary     text    NOT NULL,
  occurred_on date    NOT NULL,
  officer_id  uuid    NOT NULL,
  recorded_at timestamptz NOT NULL,
  position    bigint  NOT NULL  -- the event's place in the log: ties on occurred_on
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
  joint        boolean NOT NULL DEFAULT false,  -- as EnterpriseRequest.joint decides
  raised_on    date    NOT NULL,
  due_on       date    NOT NULL,
  overdue_from date,              -- as EnterpriseRequest.overdue_from decides; NULL: resolved
  resolution   text,
  resolved_on  date,
  satisfaction integer,
  version      integer NOT NULL,  -- the project version that last changed it
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX rm_requests_project ON rm_requests (project_id, seq);
CREATE INDEX rm_requests_overdue ON rm_requests (overdue_from) WHERE overdue_from IS NOT NULL;
