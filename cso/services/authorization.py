"""Who may change what (API.md, "Who may do what")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cso.domain.enums import OfficerRole
from cso.domain.officer import Officer
from cso.domain.project import Project
from cso.services.errors import Forbidden
from cso.services.identity import Principal, Role

if TYPE_CHECKING:
    from cso.services.application import UnitOfWork


def require_supervisor(principal: Principal) -> None:
    if principal.role is not Role.SUPERVISOR:
        raise Forbidden(f"only a supervisor may do this, not a {principal.role.value}")


def require_officer_or_supervisor(principal: Principal) -> None:
    if principal.role not in (Role.SUPERVISOR, Role.OFFICER):
        raise Forbidden(f"a {principal.role.value} makes no changes")


async def require_cso_of(uow: UnitOfWork, project: Project) -> None:
    """Supervisors act on every project; an officer only on those whose CSO they are, and
    only while they can still serve as CSO (active, a party member, holding the role)."""
    principal = uow.command.principal
    require_officer_or_supervisor(principal)
    if principal.role is not Role.OFFICER:
        return
    officer_id = principal.officer_id
    if officer_id is None or officer_id != project.cso_id:
        raise Forbidden("an officer acts only on projects whose CSO they are")
    officer = await uow.get(officer_id, Officer)
    refusal = officer.why_cannot_serve_as(OfficerRole.CSO)
    if refusal is not None:
        raise Forbidden(f"an officer who cannot serve as CSO acts on no project: {refusal}")
