"""First secretaries (第一书记): posting, visits, party-building guidance, extension, end."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from cso.domain.enterprise import Enterprise
from cso.domain.officer import Officer
from cso.domain.secretary_posting import SecretaryPosting
from cso.services.application import Application, Changed, Command, UnitOfWork
from cso.services.policy import require_secretary_of, require_supervisor


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
