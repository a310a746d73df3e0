"""Steps a supervisor takes: officers, chains, enterprises and their party organisations."""

from __future__ import annotations

from dataclasses import dataclass

from cso.domain.enums import OfficerRole, PartyOrganizationKind
from cso.seed.data import ChainRow, EnterpriseRow, OfficerRow
from cso.seed.steps import Context
from cso.services import enterprises, officers
from cso.services.application import Command
from cso.services.identity import Principal, Role


@dataclass(frozen=True, slots=True)
class RegisterOfficer:
    officer: int
    row: OfficerRow

    async def apply(self, ctx: Context, cmd: Command) -> None:
        changed = await officers.register_officer(
            ctx.app,
            cmd,
            name=self.row.name,
            department=self.row.department,
            roles=list(self.row.roles),
            party_member=self.row.party_member,
            phone=self.row.phone,
        )
        ctx.officers[self.officer] = Principal(
            id=str(changed["officer"]),
            role=Role.OFFICER,
            name=self.row.name,
            dept=self.row.department,
        )


@dataclass(frozen=True, slots=True)
class ChangeOfficerRoles:
    officer: int
    roles: tuple[OfficerRole, ...]

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await officers.change_officer_roles(
            ctx.app, cmd, officer_id=ctx.officer_id(self.officer), roles=list(self.roles)
        )


@dataclass(frozen=True, slots=True)
class DeactivateOfficer:
    officer: int

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await officers.deactivate_officer(ctx.app, cmd, officer_id=ctx.officer_id(self.officer))


@dataclass(frozen=True, slots=True)
class EstablishChain:
    row: ChainRow

    async def apply(self, ctx: Context, cmd: Command) -> None:
        changed = await enterprises.establish_chain(
            ctx.app,
            cmd,
            name=self.row.name,
            leader=self.row.leader,
            lead_department=self.row.lead_department,
        )
        ctx.chains[self.row.key] = changed["chain"]


@dataclass(frozen=True, slots=True)
class RegisterEnterprise:
    enterprise: int
    row: EnterpriseRow
    credit_code: str

    async def apply(self, ctx: Context, cmd: Command) -> None:
        changed = await enterprises.register_enterprise(
            ctx.app,
            cmd,
            name=self.row.name,
            credit_code=self.credit_code,
            district=self.row.district,
            park=self.row.park,
            sme=self.row.sme,
            chain_id=None if self.row.chain is None else ctx.chains[self.row.chain],
        )
        ctx.enterprises[self.enterprise] = changed["enterprise"]


@dataclass(frozen=True, slots=True)
class DesignateChainMaster:
    chain: str
    enterprise: int

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await enterprises.designate_chain_master(
            ctx.app,
            cmd,
            chain_id=ctx.chains[self.chain],
            enterprise_id=ctx.enterprises[self.enterprise],
        )


@dataclass(frozen=True, slots=True)
class RecordPartyOrganization:
    enterprise: int
    kind: PartyOrganizationKind
    member_count: int

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await enterprises.record_party_organization(
            ctx.app,
            cmd,
            enterprise_id=ctx.enterprises[self.enterprise],
            kind=self.kind,
            member_count=self.member_count,
        )
