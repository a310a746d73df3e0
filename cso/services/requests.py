"""Enterprise requests (诉求) on a project: raise, refer, resolve, rate."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from cso.domain.enums import RequestCategory
from cso.domain.errors import DomainError
from cso.domain.project import Project
from cso.services.application import Application, Changed, Command, UnitOfWork
from cso.services.errors import Forbidden
from cso.services.policy import (
    require_active_officer,
    require_request_handler,
    require_supervisor,
    works_in_a_department_of,
)
from cso.services.projects import project_of_cso as _project_of_cso
from cso.services.working_calendars import calendars_from


async def raise_request(
    app: Application,
    cmd: Command,
    *,
    project_id: UUID,
    category: RequestCategory,
    description: str,
    received_on: date | None = None,
) -> Changed:
    """Raise a request on the project (its CSO, supervisors), due the category's working
    days after ``received_on`` (default today) on the district's working calendar."""

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        project = await _project_of_cso(uow, project_id)
        first_day = uow.today if received_on is None else received_on
        calendars = await calendars_from(uow.repository, first_day.year)
        request_id = project.raise_request(category, description, uow.today, received_on, calendars)
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


async def return_request(
    app: Application, cmd: Command, *, project_id: UUID, request_id: UUID
) -> Changed:
    """An active registered officer of a department the request is referred to returns it
    (退回) with the command's reason: OPEN again, the return kept. Raises Forbidden,
    NotFound, InvalidValue (no reason), RuleViolation."""

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        project = await uow.get(project_id, Project, target=True)
        principal = uow.command.principal
        if not works_in_a_department_of(principal, _departments(project, request_id)):
            raise Forbidden("only an officer of a department it is referred to returns it")
        await require_active_officer(uow, principal)
        project.return_request(request_id, principal.dept or "", uow.command.reason)
        return {"project": project.id, "request": request_id}

    return await app.execute(cmd, attempt)


async def extend_request_deadline(
    app: Application, cmd: Command, *, project_id: UUID, request_id: UUID, working_days: int
) -> Changed:
    """A supervisor moves the due date ``working_days`` working days later on the district's
    calendar, with the command's reason. Raises Forbidden, NotFound, InvalidValue,
    RuleViolation."""
    require_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        project = await uow.get(project_id, Project, target=True)
        due_on = project.request(request_id).due_on
        calendars = await calendars_from(uow.repository, due_on.year)
        by = uow.command.principal.officer_id
        project.extend_request_deadline(request_id, working_days, uow.command.reason, by, calendars)
        return {"project": project.id, "request": request_id}

    return await app.execute(cmd, attempt)


async def rate_request(
    app: Application, cmd: Command, *, project_id: UUID, request_id: UUID, satisfaction: int
) -> Changed:
    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        project = await _project_of_cso(uow, project_id)
        # A rating of 1 or 2 reopens it, due anew from today on the district's calendar.
        calendars = await calendars_from(uow.repository, uow.today.year)
        project.rate_request(request_id, satisfaction, uow.today, calendars)
        return {"project": project.id, "request": request_id}

    return await app.execute(cmd, attempt)


def _departments(project: Project, request_id: UUID) -> tuple[str, ...]:
    """Where the request is referred; none for an unknown one, so that only those who may
    act on the project learn that it does not exist."""
    try:
        return project.request(request_id).departments
    except DomainError:
        return ()
