"""Officer: a cadre who can serve as CSO, CASO or first secretary."""

from __future__ import annotations

import re
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from cso.domain.enums import OfficerRole
from cso.domain.errors import InvalidValue, RuleViolation
from cso.domain.values import require_enum, require_text

# Mobile or landline, optionally with a country prefix and separators.
_PHONE = re.compile(r"\+?[0-9][0-9 \-]{4,19}")


class OfficerInactive(RuleViolation):
    """The officer has been deactivated."""


class OfficerAlreadyInactive(RuleViolation):
    """A deactivated officer cannot be deactivated again."""


class OfficerCannotServe(RuleViolation):
    """The officer lacks a condition for serving in a role."""


class RoleInUse(RuleViolation):
    """A role cannot be taken away while the officer is serving in it."""


class PostingAlreadyActive(RuleViolation):
    """An officer holds at most one active first-secretary posting."""


class PostingNotActive(RuleViolation):
    """The posting to end is not the officer's active posting."""


def normalise_roles(roles: list[OfficerRole]) -> list[OfficerRole]:
    """Repeats collapse; roles are kept in the enum's order."""
    if isinstance(roles, str):
        raise InvalidValue("roles", "The roles must be a list.")
    chosen = {require_enum("roles", role, OfficerRole) for role in roles}
    return [role for role in OfficerRole if role in chosen]


def normalise_phone(phone: str) -> str:
    text = require_text("phone", phone, 20)
    if not _PHONE.fullmatch(text):
        raise InvalidValue("phone", "A phone number has 5 to 20 digits, spaces or dashes.")
    return text


class Officer(Aggregate):
    @event("Registered")
    def __init__(
        self,
        name: str,
        department: str,
        roles: list[OfficerRole],
        party_member: bool,
        phone: str,
    ) -> None:
        self.name = name
        self.department = department
        self._roles: list[OfficerRole] = list(roles)
        self.party_member = party_member
        self.phone = phone
        self.active = True
        self.active_posting_id: UUID | None = None
        self.cso_project_ids: list[UUID] = []

    @classmethod
    def register(
        cls,
        name: str,
        department: str,
        roles: list[OfficerRole],
        party_member: bool,
        phone: str,
    ) -> Officer:
        """An officer may be registered without roles; they then serve nowhere."""
        if not isinstance(party_member, bool):
            raise InvalidValue("partyMember", "Party membership must be true or false.")
        return cls(
            name=require_text("name", name),
            department=require_text("department", department),
            roles=normalise_roles(roles),
            party_member=party_member,
            phone=normalise_phone(phone),
        )

    @property
    def roles(self) -> list[OfficerRole]:
        return list(self._roles)

    def has_role(self, role: OfficerRole) -> bool:
        return role in self._roles

    def _failed_conditions(self, role: OfficerRole) -> list[str]:
        failed = []
        if not self.active:
            failed.append("is not active")
        if not self.party_member:
            failed.append("is not a party member")
        if role not in self._roles:
            failed.append(f"does not hold the {role.value} role")
        return failed

    def can_serve_as(self, role: OfficerRole) -> bool:
        return not self._failed_conditions(role)

    def why_cannot_serve_as(self, role: OfficerRole) -> str | None:
        """What keeps the officer from serving as ``role``; None when nothing does."""
        failed = self._failed_conditions(role)
        if not failed:
            return None
        return (
            f"Only an active party member with the {role.value} role can serve "
            f"as {role.value}; officer {self.name} {' and '.join(failed)}."
        )

    def ensure_can_serve_as(self, role: OfficerRole) -> None:
        refusal = self.why_cannot_serve_as(role)
        if refusal is not None:
            raise OfficerCannotServe(refusal)

    def assign_as_cso(self, project_id: UUID) -> None:
        """Called with the project's id when the officer becomes its CSO.

        The assignment is an event on the officer too, appended with the project's in one
        atomic append: a concurrent deactivation or change of roles then conflicts with it
        and is re-run on the state that includes it (or the assignment is, on theirs).
        """
        self.ensure_can_serve_as(OfficerRole.CSO)
        self._assign_as_cso(project_id=project_id)

    @event("AssignedAsCso")
    def _assign_as_cso(self, project_id: UUID) -> None:
        if project_id not in self.cso_project_ids:
            self.cso_project_ids.append(project_id)

    def release_cso_case(self, project_id: UUID) -> None:
        """Called when the officer stops being the project's CSO: reassigned, or the project
        closed. Appended with the project's event, like `assign_as_cso`."""
        self._release_cso_case(project_id=project_id)

    @event("CsoCaseReleased")
    def _release_cso_case(self, project_id: UUID) -> None:
        if project_id in self.cso_project_ids:
            self.cso_project_ids.remove(project_id)

    def _ensure_not_holding(self, doing: str, role: OfficerRole | None) -> None:
        """Officers who hold cases keep what serving in them needs until they hand them over."""
        if role in (None, OfficerRole.CSO) and self.cso_project_ids:
            held = ", ".join(str(project_id) for project_id in self.cso_project_ids)
            raise RoleInUse(
                f"Officer {self.name} is the CSO of open projects ({held}); {doing} only "
                "after another CSO is assigned to them."
            )

    def change_roles(self, roles: list[OfficerRole]) -> None:
        """Replace the roles; giving the current roles again changes nothing."""
        if not self.active:
            raise OfficerInactive(f"Officer {self.name} is inactive; roles cannot change.")
        new_roles = normalise_roles(roles)
        if new_roles == self._roles:
            return
        for role in set(self._roles) - set(new_roles):
            self._ensure_not_holding(f"the {role.value} role can be removed", role)
        if self.active_posting_id is not None and OfficerRole.FIRST_SECRETARY not in new_roles:
            raise RoleInUse(
                "The FIRST_SECRETARY role cannot be removed while the officer "
                "holds an active first-secretary posting."
            )
        self._change_roles(roles=new_roles)

    @event("RolesChanged")
    def _change_roles(self, roles: list[OfficerRole]) -> None:
        self._roles = list(roles)

    def deactivate(self) -> None:
        if not self.active:
            raise OfficerAlreadyInactive(f"Officer {self.name} is already inactive.")
        self._ensure_not_holding("they can be deactivated", None)
        if self.active_posting_id is not None:
            raise RoleInUse(
                "An officer with an active first-secretary posting cannot be "
                "deactivated; end the posting first."
            )
        self._deactivate()

    @event("Deactivated")
    def _deactivate(self) -> None:
        self.active = False

    def begin_posting(self, posting_id: UUID) -> None:
        """Called with the posting's id when a first-secretary posting starts."""
        self.ensure_can_serve_as(OfficerRole.FIRST_SECRETARY)
        if self.active_posting_id is not None:
            raise PostingAlreadyActive(
                f"Officer {self.name} already holds an active first-secretary "
                "posting; an officer holds at most one."
            )
        self._begin_posting(posting_id=posting_id)

    @event("PostedAsFirstSecretary")
    def _begin_posting(self, posting_id: UUID) -> None:
        self.active_posting_id = posting_id

    def end_posting(self, posting_id: UUID) -> None:
        if self.active_posting_id != posting_id:
            raise PostingNotActive(
                f"Posting {posting_id} is not officer {self.name}'s active posting."
            )
        self._end_posting(posting_id=posting_id)

    @event("FirstSecretaryPostingEnded")
    def _end_posting(self, posting_id: UUID) -> None:
        self.active_posting_id = None
