-- Returns (退回) of requests (issue 8): a department it is referred to sends a request back
-- with a reason; each return is kept, in order, as {"department", "reason", "at"}.

ALTER TABLE rm_requests
  ADD COLUMN returns jsonb NOT NULL DEFAULT '[]';
