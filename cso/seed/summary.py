"""What a seed loaded, counted from the aggregates it wrote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cso.domain.enterprise_request import EnterpriseRequest
from cso.domain.enums import ProjectStage
from cso.domain.project import Project
from cso.seed.steps import Context
from cso.services.identity import Principal


@dataclass(frozen=True, slots=True)
class SeedSummary:
    chains: int
    enterprises: int
    officers: int
    projects: int
    services: int
    requests: int
    overdue_requests: int
    open_requests: int
    reassignments: int
    projects_by_stage: dict[str, int]  # every ProjectStage value, in the enum's order
    supervisor_id: str  # the supervisor principal the setup steps acted as
    supervisor_name: str


async def summarise(ctx: Context, supervisor: Principal, today: date) -> SeedSummary:
    projects = [await ctx.app.repository.get(pid, Project) for pid in ctx.projects.values()]
    # Requests raised on projects and problems logged on postings: enterprise requests all.
    request_ids = [*ctx.requests.values(), *ctx.problems.values()]
    requests = [await ctx.app.repository.get(rid, EnterpriseRequest) for rid in request_ids]
    stages = {stage.value: 0 for stage in ProjectStage}
    for project in projects:
        stages[project.stage.value] += 1
    return SeedSummary(
        chains=len(ctx.chains),
        enterprises=len(ctx.enterprises),
        officers=len(ctx.officers),
        projects=len(projects),
        services=sum(p.service_count for p in projects),
        requests=len(requests),
        overdue_requests=sum(r.is_overdue(today) for r in requests),
        open_requests=sum(r.open for r in requests),
        reassignments=sum(max(0, p.cso_terms - 1) for p in projects),
        projects_by_stage=stages,
        supervisor_id=supervisor.id,
        supervisor_name=supervisor.name,
    )
