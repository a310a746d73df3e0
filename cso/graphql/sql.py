"""Read-model lookups the GraphQL layer batches (DataLoaders); always parameterised."""

from cso.eventstore.sql import EVENT_COLUMNS

OFFICER_COLUMNS = """o.id, o.name, o.department, o.roles, o.party_member, o.phone, o.active,
  o.version, o.created_at, o.updated_at"""

OFFICERS_BY_ID = f"SELECT {OFFICER_COLUMNS} FROM rm_officers o WHERE o.id = ANY($1::uuid[])"

ENTERPRISE_COLUMNS = """e.id, e.name, e.credit_code, e.district, e.park, e.sme, e.chain_id,
  e.party_organization, e.party_member_count, e.active_posting_id, e.version, e.created_at,
  e.updated_at"""

ENTERPRISES_BY_ID = (
    f"SELECT {ENTERPRISE_COLUMNS} FROM rm_enterprises e WHERE e.id = ANY($1::uuid[])"
)

CHAIN_COLUMNS = """c.id, c.name, c.leader, c.lead_department, c.master_ids, c.version,
  c.created_at, c.updated_at"""

CHAINS_BY_ID = f"SELECT {CHAIN_COLUMNS} FROM rm_chains c WHERE c.id = ANY($1::uuid[])"

ALL_CHAINS = f"SELECT {CHAIN_COLUMNS} FROM rm_chains c ORDER BY c.name, c.id"

PROJECT_COLUMNS = """p.id, p.enterprise_id, p.name, p.investment, p.chain_id, p.stage,
  p.signed_on, p.cso_id, p.closed, p.outcome, p.close_reason, p.service_count, p.version,
  p.created_at, p.updated_at"""

PROJECTS_BY_ID = f"SELECT {PROJECT_COLUMNS} FROM rm_projects p WHERE p.id = ANY($1::uuid[])"

MILESTONES_BY_PROJECT = """
SELECT project_id, milestone, reached_on FROM rm_project_milestones
WHERE project_id = ANY($1::uuid[]) ORDER BY project_id, rank
"""

ASSIGNMENTS_BY_PROJECT = """
SELECT project_id, officer_id, start_on, end_on, reason FROM rm_cso_assignments
WHERE project_id = ANY($1::uuid[]) ORDER BY project_id, seq
"""

PLAN_BY_PROJECT = """
SELECT project_id, item, completed FROM rm_service_plan
WHERE project_id = ANY($1::uuid[]) ORDER BY project_id, seq
"""

REQUESTS_BY_PROJECT = """
SELECT project_id, id, category, description, status, departments, raised_on, due_on,
  resolution, resolved_on, satisfaction
FROM rm_requests WHERE project_id = ANY($1::uuid[]) ORDER BY project_id, seq
"""

# Pages of several projects' service timelines at once: for each requested page (n), the
# rows after its cursor (none: from the newest), newest first, one more than it shows. Each
# page is a LIMITed walk of rm_services_timeline from the cursor on, so its cost does not
# grow with the project's services, nor with how deep the page is.
SERVICES_PAGES = """
SELECT k.n, s.occurred_on AS k0, s.position AS k1,
       s.id, s.kind, s.summary, s.occurred_on, s.officer_id
FROM unnest($1::uuid[], $2::date[], $3::bigint[], $4::integer[])
     WITH ORDINALITY AS k(project_id, after_on, after_position, page_rows, n)
CROSS JOIN LATERAL (
  SELECT s.id, s.kind, s.summary, s.occurred_on, s.officer_id, s.position FROM rm_services s
  WHERE s.project_id = k.project_id
    AND (s.occurred_on, s.position)
      < (coalesce(k.after_on, 'infinity'::date), coalesce(k.after_position, 9223372036854775807))
  ORDER BY s.occurred_on DESC, s.position DESC
  LIMIT k.page_rows
) s
ORDER BY k.n, s.occurred_on DESC, s.position DESC
"""

# Streams' events up to a version each (n: which request): a replayed object stops early,
# and a current one leaves out what was appended after the read model it came from.
HISTORY_BY_STREAM = """
SELECT k.n, e.position, e.transaction_id, e.stream_id, e.stream_type, e.version, e.type,
  e.data, e.metadata, e.recorded_at, e.hash
FROM unnest($1::uuid[], $2::integer[]) WITH ORDINALITY AS k(stream_id, up_to, n)
JOIN events e ON e.stream_id = k.stream_id AND e.version <= k.up_to
ORDER BY k.n, e.version
"""

EVENTS_BY_CORRELATION = f"""
SELECT {EVENT_COLUMNS} FROM events WHERE metadata ->> 'correlation_id' = $1 ORDER BY position
"""
