"""Steps on a project: registration and CSO by a supervisor, the rest by its CSO."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from cso.domain.enums import Milestone, ProjectOutcome, RequestCategory, ServiceKind
from cso.seed.steps import Context
from cso.services import projects, requests
from cso.services.application import Command


@dataclass(frozen=True, slots=True)
class RegisterProject:
    project: int
    enterprise: int
    chain: str | None
    name: str
    investment: Decimal

    async def apply(self, ctx: Context, cmd: Command) -> None:
        changed = await projects.register_project(
            ctx.app,
            cmd,
            enterprise_id=ctx.enterprises[self.enterprise],
            name=self.name,
            investment=self.investment,
            chain_id=None if self.chain is None else ctx.chains[self.chain],
            signed_on=ctx.app.today(),
        )
        ctx.projects[self.project] = changed["project"]


@dataclass(frozen=True, slots=True)
class AssignCso:
    project: int
    officer: int

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await projects.assign_cso(
            ctx.app,
            cmd,
            project_id=ctx.projects[self.project],
            officer_id=ctx.officer_id(self.officer),
        )


@dataclass(frozen=True, slots=True)
class SetServicePlan:
    project: int
    items: tuple[str, ...]

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await projects.set_service_plan(
            ctx.app, cmd, project_id=ctx.projects[self.project], items=list(self.items)
        )


@dataclass(frozen=True, slots=True)
class CompleteServiceItem:
    project: int
    item: str

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await projects.complete_service_item(
            ctx.app, cmd, project_id=ctx.projects[self.project], item=self.item
        )


@dataclass(frozen=True, slots=True)
class ReachMilestone:
    project: int
    milestone: Milestone

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await projects.reach_milestone(
            ctx.app,
            cmd,
            project_id=ctx.projects[self.project],
            milestone=self.milestone,
            on=ctx.app.today(),
        )


@dataclass(frozen=True, slots=True)
class RecordService:
    project: int
    kind: ServiceKind
    summary: str

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await projects.record_service(
            ctx.app,
            cmd,
            project_id=ctx.projects[self.project],
            kind=self.kind,
            summary=self.summary,
            occurred_on=ctx.app.today(),
        )


@dataclass(frozen=True, slots=True)
class CloseProject:
    project: int
    outcome: ProjectOutcome

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await projects.close_project(
            ctx.app, cmd, project_id=ctx.projects[self.project], outcome=self.outcome
        )


@dataclass(frozen=True, slots=True)
class RaiseRequest:
    project: int
    request: int
    category: RequestCategory
    description: str

    async def apply(self, ctx: Context, cmd: Command) -> None:
        changed = await requests.raise_request(
            ctx.app,
            cmd,
            project_id=ctx.projects[self.project],
            category=self.category,
            description=self.description,
        )
        ctx.requests[self.project, self.request] = changed["request"]


@dataclass(frozen=True, slots=True)
class ReferRequest:
    project: int
    request: int
    departments: tuple[str, ...]

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await requests.refer_request(
            ctx.app,
            cmd,
            project_id=ctx.projects[self.project],
            request_id=ctx.requests[self.project, self.request],
            departments=list(self.departments),
        )


@dataclass(frozen=True, slots=True)
class ResolveRequest:
    project: int
    request: int
    resolution: str

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await requests.resolve_request(
            ctx.app,
            cmd,
            project_id=ctx.projects[self.project],
            request_id=ctx.requests[self.project, self.request],
            resolution=self.resolution,
        )


@dataclass(frozen=True, slots=True)
class RateRequest:
    project: int
    request: int
    satisfaction: int

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await requests.rate_request(
            ctx.app,
            cmd,
            project_id=ctx.projects[self.project],
            request_id=ctx.requests[self.project, self.request],
            satisfaction=self.satisfaction,
        )


@dataclass(frozen=True, slots=True)
class ReturnRequest:
    """A department it is referred to sends it back: the step's officer acts with that
    department's `dept` claim (the demo's registered officers stand in for its staff)."""

    project: int
    request: int
    department: str

    async def apply(self, ctx: Context, cmd: Command) -> None:
        principal = replace(cmd.principal, dept=self.department)
        await requests.return_request(
            ctx.app,
            replace(cmd, principal=principal),
            request_id=ctx.requests[self.project, self.request],
        )


@dataclass(frozen=True, slots=True)
class ExtendRequest:
    """A supervisor gives the departments more working days (the step carries the reason)."""

    project: int
    request: int
    working_days: int

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await requests.extend_request_deadline(
            ctx.app,
            cmd,
            request_id=ctx.requests[self.project, self.request],
            working_days=self.working_days,
        )
