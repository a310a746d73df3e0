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
  p.signed_on, p.cso_id, p.closed, p.outcome, p.close_reason, p.version, p.created_at,
  p.updated_at"""

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

HISTORY_BY_STREAM = f"""
SELECT {EVENT_COLUMNS} FROM events WHERE stream_id = ANY($1::uuid[]) ORDER BY stream_id, version
"""

EVENTS_BY_CORRELATION = f"""
SELECT {EVENT_COLUMNS} FROM events WHERE metadata ->> 'correlation_id' = $1 ORDER BY position
"""
