"""First secretaries (第一书记): posting, visits, party-building guidance, problems (each an
enterprise request with source POSTING), extension, end."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from cso.domain.enterprise import Enterprise
from cso.domain.enterprise_request import EnterpriseRequest
from cso.domain.enums import RequestCategory
from cso.domain.officer import Officer
from cso.domain.secretary_posting import SecretaryPosting
from cso.services.application import Application, Changed, Command, UnitOfWork
from cso.services.errors import InvalidInput, NotFound
from cso.services.policy import require_secretary_of, require_supervisor
from cso.services.requests import raise_on_case


async def post_first_secretary(
    app: Application,
    cmd: Command,
    *,
    enterprise_id: UUID,
    officer_id: UUID,
    sending_unit: str,
    term_start: date,
    term_end: date,
) -> Changed:
    """Supervisors post; the posting, the enterprise and the officer are one append, so two
    postings racing for one enterprise or one officer cannot both be appended."""
    require_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        enterprise = await uow.get(enterprise_id, Enterprise)
        officer = await uow.get(officer_id, Officer)
        posting = uow.add(
            SecretaryPosting.post(
                officer, enterprise, sending_unit, term_start, term_end, uow.today
            )
        )
        return {"posting": posting.id}

    return await app.execute(cmd, attempt)


async def record_secretary_visit(
    app: Application, cmd: Command, *, posting_id: UUID, on: date, summary: str
) -> Changed:
    """The posted officer, or a supervisor."""

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        posting = await posting_of_secretary(uow, posting_id)
        record_id = posting.record_visit(on, summary, uow.today)
        return {"posting": posting.id, "record": record_id}

    return await app.execute(cmd, attempt)


async def record_party_building_guidance(
    app: Application, cmd: Command, *, posting_id: UUID, on: date, summary: str
) -> Changed:
    """The posted officer, or a supervisor."""

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        posting = await posting_of_secretary(uow, posting_id)
        record_id = posting.record_guidance(on, summary, uow.today)
        return {"posting": posting.id, "record": record_id}

    return await app.execute(cmd, attempt)


async def log_enterprise_problem(
    app: Application,
    cmd: Command,
    *,
    posting_id: UUID,
    description: str,
    category: RequestCategory = RequestCategory.OTHER,
    received_on: date | None = None,
) -> Changed:
    """The posted officer, or a supervisor: an enterprise request on the posting, due the
    category's working days after ``received_on`` (default today) on the district's
    calendar; the posting keeps its id in the same append."""

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        posting = await posting_of_secretary(uow, posting_id)
        request = await raise_on_case(
            uow,
            received_on,
            lambda calendars: posting.log_problem(
                category, description, uow.today, received_on, calendars
            ),
        )
        return {"posting": posting.id, "request": request.id}

    return await app.execute(cmd, attempt)


async def solve_enterprise_problem(
    app: Application, cmd: Command, *, posting_id: UUID, problem_id: UUID, solution: str
) -> Changed:
    """The posted officer, or a supervisor, resolves the problem's request (the posting
    forgets its id in the same append). Raises Forbidden, NotFound, InvalidInput (a problem
    not on this posting), RuleViolation."""

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        posting = await posting_of_secretary(uow, posting_id)
        request = await problem_of(uow, posting, problem_id)
        request.resolve(solution, uow.today, posting)
        return {"posting": posting.id, "request": request.id}

    return await app.execute(cmd, attempt)


async def problem_of(
    uow: UnitOfWork, posting: SecretaryPosting, problem_id: UUID
) -> EnterpriseRequest:
    """The request ``problem_id`` logged on ``posting``. Raises InvalidInput (problemId)."""
    try:
        request = await uow.get(problem_id, EnterpriseRequest)
    except NotFound:
        request = None
    if request is None or request.posting_id != posting.id:
        raise InvalidInput(f"posting {posting.id} has no problem {problem_id}", "problemId")
    return request


async def extend_secretary_term(
    app: Application, cmd: Command, *, posting_id: UUID, term_end: date
) -> Changed:
    """Supervisors; the command's reason is kept with the extension."""
    require_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        posting = await uow.get(posting_id, SecretaryPosting, target=True)
        posting.extend_term(term_end, cmd.reason, cmd.principal.officer_id)
        return {"posting": posting.id}

    return await app.execute(cmd, attempt)


async def end_secretary_posting(
    app: Application, cmd: Command, *, posting_id: UUID, on: date
) -> Changed:
    """Supervisors; the officer and the enterprise are free again in the same append."""
    require_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        posting = await uow.get(posting_id, SecretaryPosting, target=True)
        officer = await uow.get(posting.officer_id, Officer)
        enterprise = await uow.get(posting.enterprise_id, Enterprise)
        posting.end(on, uow.today, officer, enterprise)
        return {"posting": posting.id}

    return await app.execute(cmd, attempt)


async def posting_of_secretary(uow: UnitOfWork, posting_id: UUID) -> SecretaryPosting:
    """The posting `expectedVersion` refers to, once the caller may act on it."""
    posting = await uow.get(posting_id, SecretaryPosting, target=True)
    await require_secretary_of(uow, posting)
    return posting
