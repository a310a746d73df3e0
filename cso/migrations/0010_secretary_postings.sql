-- First secretaries (issue 9): the read models of the "postings" projection.
-- A posting's row keeps what the aggregate keeps (counts and latest dates of visits and
-- guidance, the term, active or ended); each visit or guidance record is a row of its own,
-- and so is each term extension. List rows carry the posting version that wrote them, so a
-- posting replayed to a version reads its lists as they were then.

CREATE TABLE rm_postings (
  id                 uuid PRIMARY KEY,
  officer_id         uuid    NOT NULL,
  enterprise_id      uuid    NOT NULL,
  chain_id           uuid,             -- the enterprise's chain when posted
  sending_unit       text    NOT NULL,
  term_start         date    NOT NULL,
  term_end           date    NOT NULL,
  active             boolean NOT NULL DEFAULT true,
  ended_on           date,
  visit_count        integer NOT NULL DEFAULT 0,
  latest_visit_on    date,
  guidance_count     integer NOT NULL DEFAULT 0,
  latest_guidance_on date,
  extension_count    integer NOT NULL DEFAULT 0,
  version            integer NOT NULL,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL
);
CREATE INDEX rm_postings_created ON rm_postings (created_at, id);
CREATE INDEX rm_postings_term_end ON rm_postings (term_end, id);
CREATE INDEX rm_postings_officer ON rm_postings (officer_id);
CREATE INDEX rm_postings_enterprise ON rm_postings (enterprise_id);
CREATE INDEX rm_postings_chain ON rm_postings (chain_id);

-- Visits (kind VISIT) and party-building guidance (kind GUIDANCE), one row per record.
CREATE TABLE rm_posting_records (
  id          uuid PRIMARY KEY,
  posting_id  uuid    NOT NULL,
  version     integer NOT NULL,  -- the posting version that recorded it
  kind        text    NOT NULL,
  occurred_on date    NOT NULL,
  summary     text    NOT NULL,
  recorded_at timestamptz NOT NULL,
  position    bigint  NOT NULL   -- the event's place in the log: ties on occurred_on
);
CREATE INDEX rm_posting_records_timeline
  ON rm_posting_records (posting_id, kind, occurred_on DESC, position DESC);

CREATE TABLE rm_posting_extensions (
  posting_id   uuid    NOT NULL,
  version      integer NOT NULL,  -- the posting version that extended the term
  previous_end date    NOT NULL,
  term_end     date    NOT NULL,
  reason       text,
  by_id        uuid,              -- the supervisor's id, when the token names one
  recorded_at  timestamptz NOT NULL,
  PRIMARY KEY (posting_id, version)
);
