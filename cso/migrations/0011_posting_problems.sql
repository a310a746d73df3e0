-- A first secretary's problems (issues 8 and 9): each is a row of rm_requests (source
-- POSTING, posting_id set); the posting's row counts those still open, as the posting
-- keeps their ids (ProblemOpened / ProblemSettled on its stream).

ALTER TABLE rm_postings ADD COLUMN open_problems integer NOT NULL DEFAULT 0;
