-- A project's rm_projects row is rewritten once per projection batch (project_rows.py) and
-- with every event of its project. Its eleven indexes cover none of the columns most of
-- those writes change (version, updated_at, service_count, latest_service_on), so a new
-- version of the row can stay on its page without new index entries (a HOT update), if
-- the page has room: a batch that touches half the projects needs room for half of them
-- again. At the default fillfactor (100) a page has none, and catching up over the
-- district's 1,086,730 events spent 7.8 s of the server's time updating this table
-- (177,389 updates, 44 us each); with half of each page kept free it spent 4.1 s.
-- The table holds one row per project (tens of thousands), so the room costs little.
ALTER TABLE rm_projects SET (fillfactor = 50);
