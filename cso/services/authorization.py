"""Who may change what (API.md, "Who may do what")."""

from __future__ import annotations

from cso.domain.project import Project
from cso.services.errors import Forbidden
from cso.services.identity import Principal, Role


def require_supervisor(principal: Principal) -> None:
    if principal.role is not Role.SUPERVISOR:
        raise Forbidden(f"only a supervisor may do this, not a {principal.role.value}")


def require_officer_or_supervisor(principal: Principal) -> None:
    if principal.role not in (Role.SUPERVISOR, Role.OFFICER):
        raise Forbidden(f"a {principal.role.value} makes no changes")


def require_cso_of(principal: Principal, project: Project) -> None:
    """Supervisors act on every project; an officer only on those whose CSO they are."""
    require_officer_or_supervisor(principal)
    if principal.role is Role.OFFICER and principal.officer_id != project.cso_id:
        raise Forbidden("an officer acts only on projects whose CSO they are")
