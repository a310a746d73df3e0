-- Returns (退回), deadline extensions and redos of requests (issue 8). A department a request is
-- referred to sends it back with a reason; a supervisor moves its due date by N working days
-- with a reason. Each is kept, in order, beside the request:
-- returns    [{"department", "reason", "at"}]
-- extensions [{"workingDays", "reason", "by" (officer id or null), "at"}]
-- A rating of 1 or 2 reopens a request (a redo): `redo_count` counts them, and `rated` says
-- it was rated at least once (the dashboard's redoRate is redone over rated).

ALTER TABLE rm_requests
  ADD COLUMN returns    jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN extensions jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN redo_count integer NOT NULL DEFAULT 0,
  ADD COLUMN rated      boolean NOT NULL DEFAULT false;

-- Once, for the rows already projected; RequestRated sets it from now on.
UPDATE rm_requests SET rated = true WHERE satisfaction IS NOT NULL;
