"""Investment projects: registration, the CSO, milestones, the service plan and records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from cso.domain.chain import IndustryChain
from cso.domain.enterprise import Enterprise
from cso.domain.enterprise_request import EnterpriseRequest
from cso.domain.enums import Milestone, ProjectOutcome, ServiceKind
from cso.domain.officer import Officer
from cso.domain.project import Project
from cso.services.application import Application, Changed, Command, UnitOfWork
from cso.services.policy import (
    require_cso_of,
    require_officer_or_supervisor,
    require_supervisor,
)


async def register_project(
    app: Application,
    cmd: Command,
    *,
    enterprise_id: UUID,
    name: str,
    investment: Decimal,
    chain_id: UUID | None,
    signed_on: date,
) -> Changed:
    require_officer_or_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        enterprise = await uow.get(enterprise_id, Enterprise)
        if chain_id is not None:
            await uow.get(chain_id, IndustryChain)
        project = uow.add(
            Project.register(
                enterprise.id,
                name,
                investment,
                chain_id if chain_id is not None else enterprise.chain_id,
                signed_on,
                uow.today,
            )
        )
        return {"project": project.id}

    return await app.execute(cmd, attempt)


async def assign_cso(
    app: Application, cmd: Command, *, project_id: UUID, officer_id: UUID
) -> Changed:
    require_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        project = await uow.get(project_id, Project, target=True)
        officer = await uow.get(officer_id, Officer)
        previous = await current_cso(uow, project)
        project.assign_cso(officer, uow.today, cmd.reason, previous=previous)
        return {"project": project.id}

    return await app.execute(cmd, attempt)


async def set_service_plan(
    app: Application, cmd: Command, *, project_id: UUID, items: list[str]
) -> Changed:
    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        project = await project_of_cso(uow, project_id)
        project.set_service_plan(items)
        return {"project": project.id}

    return await app.execute(cmd, attempt)


async def complete_service_item(
    app: Application, cmd: Command, *, project_id: UUID, item: str
) -> Changed:
    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        project = await project_of_cso(uow, project_id)
        project.complete_service_item(item)
        return {"project": project.id}

    return await app.execute(cmd, attempt)


async def record_service(
    app: Application,
    cmd: Command,
    *,
    project_id: UUID,
    kind: ServiceKind,
    summary: str,
    occurred_on: date,
) -> Changed:
    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        project = await project_of_cso(uow, project_id)
        service_id = project.record_service(kind, summary, occurred_on, uow.today)
        return {"project": project.id, "service": service_id}

    return await app.execute(cmd, attempt)


async def reach_milestone(
    app: Application, cmd: Command, *, project_id: UUID, milestone: Milestone, on: date
) -> Changed:
    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        project = await project_of_cso(uow, project_id)
        project.reach_milestone(milestone, on, uow.today)
        return {"project": project.id}

    return await app.execute(cmd, attempt)


async def close_project(
    app: Application, cmd: Command, *, project_id: UUID, outcome: ProjectOutcome
) -> Changed:
    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        project = await project_of_cso(uow, project_id)
        cso = await current_cso(uow, project)
        settling = outcome is ProjectOutcome.CANCELLED
        ids = project.kept_request_ids if settling else []
        requests = [await uow.get(i, EnterpriseRequest) for i in ids]
        project.close(outcome, cmd.reason, cso, requests, uow.today)
        return {"project": project.id}

    return await app.execute(cmd, attempt)


async def project_of_cso(uow: UnitOfWork, project_id: UUID) -> Project:
    """The project `expectedVersion` refers to, once the caller may act on it."""
    project = await uow.get(project_id, Project, target=True)
    await require_cso_of(uow, project)
    return project


async def current_cso(uow: UnitOfWork, project: Project) -> Officer | None:
    """The project's current CSO, loaded to release the case when it changes hands."""
    return None if project.cso_id is None else await uow.get(project.cso_id, Officer)
