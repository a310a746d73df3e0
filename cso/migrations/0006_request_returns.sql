-- Returns (退回) and deadline extensions of requests (issue 8). A department a request is
-- referred to sends it back with a reason; a supervisor moves its due date by N working days
-- with a reason. Each is kept, in order, beside the request:
-- returns    [{"department", "reason", "at"}]
-- extensions [{"workingDays", "reason", "by" (officer id or null), "at"}]

ALTER TABLE rm_requests
  ADD COLUMN returns    jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN extensions jsonb NOT NULL DEFAULT '[]';
