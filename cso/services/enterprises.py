"""Enterprises, their party organisations, and the industry chains they belong to."""

from __future__ import annotations

from uuid import UUID

from cso.domain.chain import IndustryChain
from cso.domain.enterprise import Enterprise
from cso.domain.enums import PartyOrganizationKind
from cso.services.application import Application, Changed, Command, UnitOfWork
from cso.services.policy import require_officer_or_supervisor, require_supervisor

CREDIT_CODE = "credit_code"
CHAIN_NAME = "chain_name"


async def establish_chain(
    app: Application, cmd: Command, *, name: str, leader: str, lead_department: str
) -> Changed:
    require_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        chain = uow.add(IndustryChain.establish(name, leader, lead_department))
        uow.reserve(CHAIN_NAME, chain.name.casefold(), chain)
        return {"chain": chain.id}

    return await app.execute(cmd, attempt)


async def designate_chain_master(
    app: Application, cmd: Command, *, chain_id: UUID, enterprise_id: UUID
) -> Changed:
    require_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        chain = await uow.get(chain_id, IndustryChain, target=True)
        enterprise = await uow.get(enterprise_id, Enterprise)
        chain.designate_master(enterprise.id, uow.today)
        return {"chain": chain.id}

    return await app.execute(cmd, attempt)


async def register_enterprise(
    app: Application,
    cmd: Command,
    *,
    name: str,
    credit_code: str,
    district: str,
    park: str | None,
    sme: bool,
    chain_id: UUID | None,
) -> Changed:
    require_officer_or_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        if chain_id is not None:
            await uow.get(chain_id, IndustryChain)
        enterprise = uow.add(Enterprise.register(name, credit_code, district, park, sme, chain_id))
        uow.reserve(CREDIT_CODE, enterprise.credit_code, enterprise)
        return {"enterprise": enterprise.id}

    return await app.execute(cmd, attempt)


async def record_party_organization(
    app: Application,
    cmd: Command,
    *,
    enterprise_id: UUID,
    kind: PartyOrganizationKind,
    member_count: int,
) -> Changed:
    require_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        enterprise = await uow.get(enterprise_id, Enterprise, target=True)
        enterprise.record_party_organization(kind, member_count)
        return {"enterprise": enterprise.id}

    return await app.execute(cmd, attempt)
