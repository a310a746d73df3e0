-- Requests as their own aggregate (EnterpriseRequest, issue 8). A request is raised on a
-- project or a posting; rm_requests keeps one row per request, whichever its source.
--
-- `version` is the request's own stream version once `own_stream` (raised as an aggregate,
-- or carried over from its project by `cso carry-over-requests`); before, the project's.
-- `open` is stored as `cso.domain.project_records.is_open` decides it, so no query
-- re-derives "open" from the status. `seq` (the project version that kept its id) and
-- `project_id` are NULL for a request raised on a posting.

ALTER TABLE rm_requests
  ALTER COLUMN project_id DROP NOT NULL,
  ALTER COLUMN seq DROP NOT NULL,
  ADD COLUMN posting_id    uuid,
  ADD COLUMN enterprise_id uuid,
  ADD COLUMN open          boolean NOT NULL DEFAULT true,
  ADD COLUMN own_stream    boolean NOT NULL DEFAULT false;

-- Once, for the rows already projected, as the projection writes them from now on.
UPDATE rm_requests SET open = false WHERE status = 'RESOLVED';
UPDATE rm_requests r SET enterprise_id = p.enterprise_id FROM rm_projects p WHERE p.id = r.project_id;

CREATE INDEX rm_requests_posting ON rm_requests (posting_id) WHERE posting_id IS NOT NULL;
CREATE INDEX rm_requests_enterprise ON rm_requests (enterprise_id);

-- A department's queue and its totalCount read the departments GIN index. With fastupdate,
-- new entries wait in the index's pending list, which every scan reads in full until a
-- vacuum flushes it: a count of 5,000 of 100,000 rows took 13-45 ms then, against 1 ms
-- flushed (bench/requests.py). Requests are raised at a human pace: insert straight in.
ALTER INDEX rm_requests_departments SET (fastupdate = off);
