-- Requests on working days, and departments' queues (issue 8).
--
-- Due dates now count working days on the district's calendar: each request raised from now
-- on records the calendar its due date was counted on; requests raised before keep their
-- calendar-day due dates, and the calendar columns stay NULL for them (no rebuild: the events
-- they came from carry no calendar).
--
-- A department's queue filters rm_requests by department, status, overdue and due soon, and
-- by the project's enterprise, district and chain: `due_soon_from` is stored as
-- `cso.domain.project_records.due_soon_from` decides, and `source` says where the request
-- was raised (every request so far was raised on a project).

ALTER TABLE rm_requests
  ADD COLUMN calendar_source  text,  -- OFFICIAL, LIBRARY or WEEKENDS_ONLY
  ADD COLUMN calendar_version text,  -- "2026:LIBRARY:chinese-calendar 1.11.0", one per year
  ADD COLUMN due_soon_from    date,  -- NULL once resolved
  ADD COLUMN source           text NOT NULL DEFAULT 'PROJECT',
  ADD COLUMN on_time          boolean;  -- resolved on or before the due date; NULL until resolved

-- Once, for the rows already projected: the rule's own arithmetic (DUE_SOON_DAYS = 3, so
-- two days before the due date), as the projection writes it for every later event.
UPDATE rm_requests SET due_soon_from = due_on - 2 WHERE status <> 'RESOLVED';
-- Likewise `resolved_on_time`, which RequestResolved events record from now on.
UPDATE rm_requests SET on_time = resolved_on <= due_on WHERE status = 'RESOLVED';

CREATE INDEX rm_requests_departments ON rm_requests USING gin (departments);
CREATE INDEX rm_requests_due ON rm_requests (due_on, id);
