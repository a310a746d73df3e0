"""Supervisors register officers and change what they may serve as."""

from __future__ import annotations

from uuid import UUID, uuid4

from cso.domain.enums import OfficerRole
from cso.domain.officer import Officer
from cso.services.application import Application, Changed, Command, UnitOfWork
from cso.services.personal_data import destroy_key, new_key, sealer, store_key
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
    """The phone is sealed under a key of the officer's own, stored with the events."""
    require_supervisor(cmd.principal)
    officer_id, key = uuid4(), new_key()

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        officer = uow.add(
            Officer.register(
                name,
                department,
                roles,
                party_member,
                phone,
                officer_id=officer_id,
                seal=sealer(key, officer_id),
            )
        )
        store_key(uow, officer_id, key, officer)
        return {"officer": officer.id}

    return await app.execute(cmd, attempt)


async def erase_officer_personal_data(
    app: Application, cmd: Command, *, officer_id: UUID
) -> Changed:
    """Supervisors: the officer's phone reads ERASED for good; the erasure's event and the
    key's destruction commit together. A phone registered before phones were sealed is
    gone from the state and read model, not from the log. Again: nothing appended."""
    require_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        officer = await uow.get(officer_id, Officer, target=True)
        officer.erase_personal_data()
        if officer.pending_events:
            destroy_key(uow, officer.id, officer)
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
