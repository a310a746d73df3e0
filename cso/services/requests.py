"""Enterprise requests (诉求): raise, refer, return, extend, resolve, rate.

Each use case loads the EnterpriseRequest and the case it was raised on (a project, or a
posting for a first secretary's problem), authorises through `cso.services.policy` (whose
`require_request_case_officer` says who the case officer is, for either source), and
appends both when the case's open ids change (raising, resolving, a redo).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from cso.domain.enterprise_request import EnterpriseRequest
from cso.domain.enums import RequestCategory, RequestSource
from cso.domain.project import Project
from cso.domain.secretary_posting import SecretaryPosting
from cso.domain.working_days import CalendarLookup
from cso.services.application import Application, Changed, Command, UnitOfWork
from cso.services.errors import Forbidden, InvalidInput, NotFound
from cso.services.policy import (
    require_active_officer,
    require_cso_of,
    require_request_case_officer,
    require_request_handler,
    require_supervisor,
    works_in_a_department_of,
)
from cso.services.projects import project_of_cso
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
        project = await project_of_cso(uow, project_id)
        request = await raise_on_case(
            uow,
            received_on,
            lambda calendars: project.raise_request(
                category, description, uow.today, received_on, calendars
            ),
        )
        return {"project": project.id, "request": request.id}

    return await app.execute(cmd, attempt)


async def raise_on_case(
    uow: UnitOfWork,
    received_on: date | None,
    raise_: Callable[[CalendarLookup], EnterpriseRequest],
) -> EnterpriseRequest:
    """A request raised by a case's own method (`Project.raise_request`, a posting's) on
    the district's calendars from the year it was received (default today), added to the
    unit of work; the case, already loaded, is appended with it."""
    first_day = uow.today if received_on is None else received_on
    calendars = await calendars_from(uow.repository, first_day.year)
    return uow.add(raise_(calendars))


async def refer_request(
    app: Application,
    cmd: Command,
    *,
    project_id: UUID | None = None,
    request_id: UUID,
    departments: list[str],
) -> Changed:
    """The case officer or a supervisor refers it: lead department first (会办 when more)."""

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        request, case = await request_and_case(uow, request_id, project_id)
        await require_request_case_officer(uow, case)
        case.ensure_takes_requests()
        request.refer(departments)
        return changed(request, case)

    return await app.execute(cmd, attempt)


async def resolve_request(
    app: Application,
    cmd: Command,
    *,
    project_id: UUID | None = None,
    request_id: UUID,
    resolution: str,
) -> Changed:
    """The case officer, an officer of a department it is referred to, or a supervisor."""

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        request, case = await request_and_case(uow, request_id, project_id)
        await require_request_handler(uow, case, request.departments)
        request.resolve(resolution, uow.today, case)
        return changed(request, case)

    return await app.execute(cmd, attempt)


async def return_request(
    app: Application, cmd: Command, *, project_id: UUID | None = None, request_id: UUID
) -> Changed:
    """An active registered officer of a department the request is referred to returns it
    (退回) with the command's reason: OPEN again, the return kept. Raises Forbidden,
    NotFound, InvalidValue (no reason), RuleViolation."""

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        request, case = await request_and_case(uow, request_id, project_id)
        principal = uow.command.principal
        if not works_in_a_department_of(principal, request.departments):
            raise Forbidden("only an officer of a department it is referred to returns it")
        await require_active_officer(uow, principal)
        case.ensure_takes_requests()
        request.return_from(principal.dept or "", uow.command.reason)
        return changed(request, case)

    return await app.execute(cmd, attempt)


async def extend_request_deadline(
    app: Application,
    cmd: Command,
    *,
    project_id: UUID | None = None,
    request_id: UUID,
    working_days: int,
) -> Changed:
    """A supervisor moves the due date ``working_days`` working days later on the district's
    calendar, with the command's reason. Raises Forbidden, NotFound, InvalidValue,
    RuleViolation."""
    require_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        request, case = await request_and_case(uow, request_id, project_id)
        case.ensure_takes_requests()
        calendars = await calendars_from(uow.repository, request.due_on.year)
        by = uow.command.principal.officer_id
        request.extend_deadline(working_days, uow.command.reason, by, calendars)
        return changed(request, case)

    return await app.execute(cmd, attempt)


async def rate_request(
    app: Application,
    cmd: Command,
    *,
    project_id: UUID | None = None,
    request_id: UUID,
    satisfaction: int,
) -> Changed:
    """The case officer or a supervisor records the enterprise's rating; 1 or 2 reopens it
    (a redo), due anew from today on the district's calendar."""

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        request, case = await request_and_case(uow, request_id, project_id)
        await require_request_case_officer(uow, case)
        calendars = await calendars_from(uow.repository, uow.today.year)
        request.rate(satisfaction, uow.today, case, calendars)
        return changed(request, case)

    return await app.execute(cmd, attempt)


def changed(request: EnterpriseRequest, case: Project | SecretaryPosting) -> dict[str, UUID]:
    """The ids a request command changed: the request, and its case under "project" or
    "posting" (its source)."""
    kind = "posting" if request.source is RequestSource.POSTING else "project"
    return {kind: case.id, "request": request.id}


async def request_and_case(
    uow: UnitOfWork, request_id: UUID, project_id: UUID | None
) -> tuple[EnterpriseRequest, Project | SecretaryPosting]:
    """The request (the command's target) and the case it was raised on (a project, or a
    posting for a problem); a given ``project_id`` must be its project. Raises NotFound,
    InvalidInput (a request not on the given project, or unknown to it)."""
    try:
        request = await uow.get(request_id, EnterpriseRequest, target=True)
    except NotFound:
        if project_id is None:
            raise
        # Named with its project, an unknown request is a bad input, as it always was, to
        # those who may act on the project only.
        await require_cso_of(uow, await uow.get(project_id, Project))
        raise InvalidInput(
            f"project {project_id} has no request {request_id}", "requestId"
        ) from None
    if project_id is not None and request.project_id != project_id:
        raise InvalidInput(f"request {request_id} is not on project {project_id}", "requestId")
    if request.source is RequestSource.POSTING:
        return request, await uow.get(request.case_id, SecretaryPosting)
    return request, await uow.get(request.case_id, Project)
