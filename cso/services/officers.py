"""Supervisors register officers and change what they may serve as."""

from __future__ import annotations

from uuid import UUID

from cso.domain.enums import OfficerRole
from cso.domain.officer import Officer
from cso.services.application import Application, Changed, Command, UnitOfWork
from cso.services.policy import require_supervisor


async def register_officer(
    app: Application,
    cmd: Command,
    *,
    name: str,
    department: str,
    roles: list[OfficerRole],
    party_member: bool,
    phone: str,
) -> Changed:
    require_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        officer = uow.add(Officer.register(name, department, roles, party_member, phone))
        return {"officer": officer.id}

    return await app.execute(cmd, attempt)


async def change_officer_roles(
    app: Application, cmd: Command, *, officer_id: UUID, roles: list[OfficerRole]
) -> Changed:
    require_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        officer = await uow.get(officer_id, Officer, target=True)
        officer.change_roles(roles)
        return {"officer": officer.id}

    return await app.execute(cmd, attempt)


async def deactivate_officer(app: Application, cmd: Command, *, officer_id: UUID) -> Changed:
    require_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        officer = await uow.get(officer_id, Officer, target=True)
        officer.deactivate()
        return {"officer": officer.id}

    return await app.execute(cmd, attempt)
