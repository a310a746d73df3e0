"""Enterprise requests (诉求) on a project: raise, refer, resolve, rate."""

from __future__ import annotations

from uuid import UUID

from cso.domain.enums import RequestCategory
from cso.domain.errors import DomainError
from cso.domain.project import Project
from cso.services.application import Application, Changed, Command, UnitOfWork
from cso.services.policy import require_request_handler
from cso.services.projects import project_of_cso as _project_of_cso


async def raise_request(
    app: Application,
    cmd: Command,
    *,
    project_id: UUID,
    category: RequestCategory,
    description: str,
) -> Changed:
    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        project = await _project_of_cso(uow, project_id)
        request_id = project.raise_request(category, description, uow.today)
        return {"project": project.id, "request": request_id}

    return await app.execute(cmd, attempt)


async def refer_request(
    app: Application, cmd: Command, *, project_id: UUID, request_id: UUID, departments: list[str]
) -> Changed:
    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        project = await _project_of_cso(uow, project_id)
        project.refer_request(request_id, departments)
        return {"project": project.id, "request": request_id}

    return await app.execute(cmd, attempt)


async def resolve_request(
    app: Application, cmd: Command, *, project_id: UUID, request_id: UUID, resolution: str
) -> Changed:
    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        # The CSO, or an officer of a department the request is referred to (API.md).
        project = await uow.get(project_id, Project, target=True)
        await require_request_handler(uow, project, _departments(project, request_id))
        project.resolve_request(request_id, resolution, uow.today)
        return {"project": project.id, "request": request_id}

    return await app.execute(cmd, attempt)


async def rate_request(
    app: Application, cmd: Command, *, project_id: UUID, request_id: UUID, satisfaction: int
) -> Changed:
    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        project = await _project_of_cso(uow, project_id)
        project.rate_request(request_id, satisfaction)
        return {"project": project.id, "request": request_id}

    return await app.execute(cmd, attempt)


def _departments(project: Project, request_id: UUID) -> tuple[str, ...]:
    """Where the request is referred; none for an unknown one, so that only those who may
    act on the project learn that it does not exist."""
    try:
        return project.request(request_id).departments
    except DomainError:
        return ()
