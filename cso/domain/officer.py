"""Officer: a cadre who can serve as CSO, CASO or first secretary."""

from __future__ import annotations

import re
from collections.abc import Callable
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from cso.domain.enums import OfficerRole
from cso.domain.errors import InvalidValue, RuleViolation
from cso.domain.personal_data import ERASED
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


# What holding a case in each role is called, and what hands it over.
_HOLDINGS: dict[OfficerRole, tuple[str, str]] = {
    OfficerRole.CSO: ("the CSO of open projects", "another CSO is assigned to them"),
    OfficerRole.CASO: (
        "the CASO of open housing applications",
        "another CASO is assigned to them or they end",
    ),
    OfficerRole.FIRST_SECRETARY: ("posted as first secretary", "the posting ends"),
}


class Officer(Aggregate):
    """An officer, and the cases they hold in each role (projects as CSO, housing
    applications as CASO, a posting as first secretary).

    A case is taken and released by an event on the officer appended with the case's own
    event, so a concurrent deactivation or change of roles conflicts with it and re-runs on
    the state that includes it: an officer who holds a case keeps what serving in it needs.
    """

    # 2: the cases held, by role, replaced `cso_project_ids` and `active_posting_id`.
    class_version = 2

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
        self._cases: dict[str, list[UUID]] = {}

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        """Snapshots taken before cases were kept by role."""
        cases: dict[str, list[object]] = {}
        projects = state.pop("cso_project_ids", None)
        if isinstance(projects, list) and projects:
            cases[OfficerRole.CSO.value] = list(projects)
        posting = state.pop("active_posting_id", None)
        if posting is not None:
            cases[OfficerRole.FIRST_SECRETARY.value] = [posting]
        state["_cases"] = cases

    @classmethod
    def register(
        cls,
        name: str,
        department: str,
        roles: list[OfficerRole],
        party_member: bool,
        phone: str,
        *,
        officer_id: UUID | None = None,
        seal: Callable[[str], str] | None = None,
    ) -> Officer:
        """An officer may be registered without roles; they then serve nowhere.

        The phone is personal data (DESIGN §6): `seal` encrypts it under the officer's key,
        named by `officer_id` (the new officer's id). Without them (tests of other rules)
        it is kept as given, as it was before phones were sealed."""
        if not isinstance(party_member, bool):
            raise InvalidValue("partyMember", "Party membership must be true or false.")
        checked_phone = normalise_phone(phone)
        # eventsourcing's way to give a new aggregate the id its caller chose.
        return cls._create(
            cls.Registered,  # type: ignore[attr-defined]
            id=officer_id or uuid4(),
            name=require_text("name", name),
            department=require_text("department", department),
            roles=normalise_roles(roles),
            party_member=party_member,
            phone=checked_phone if seal is None else seal(checked_phone),
        )

    def erase_personal_data(self) -> None:
        """Recorded with the destruction of the officer's key: the phone is gone from the
        state too (a phone registered before sealing is plain text). Again: nothing."""
        if self.phone != ERASED:
            self._erase_personal_data()

    @event("PersonalDataErased")
    def _erase_personal_data(self) -> None:
        self.phone = ERASED

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

    # -- cases held ------------------------------------------------------------

    def held(self, role: OfficerRole) -> list[UUID]:
        """The ids of the cases the officer holds in `role`, oldest first."""
        return list(self._cases.get(role.value, ()))

    @property
    def cso_project_ids(self) -> list[UUID]:
        """The open projects whose CSO the officer is."""
        return self.held(OfficerRole.CSO)

    @property
    def active_posting_id(self) -> UUID | None:
        """The officer's active first-secretary posting, if any."""
        postings = self._cases.get(OfficerRole.FIRST_SECRETARY.value)
        return postings[0] if postings else None

    def take_case(self, role: OfficerRole, case_id: UUID) -> None:
        """Called with the case's id when the officer starts serving it in `role` (CSO of a
        project, CASO of a housing application); appended with the case's own event.
        Raises OfficerCannotServe. Postings go through `begin_posting` (one at a time)."""
        self.ensure_can_serve_as(role)
        if role is OfficerRole.CSO:
            self._assign_as_cso(project_id=case_id)
        elif role is OfficerRole.FIRST_SECRETARY:
            self.begin_posting(case_id)
        else:
            self._take_case(role=role, case_id=case_id)

    def release_case(self, role: OfficerRole, case_id: UUID) -> None:
        """Called when the officer stops serving the case: handed over, or the case ended.
        Appended with the case's own event, like `take_case`."""
        if role is OfficerRole.CSO:
            self._release_cso_case(project_id=case_id)
        elif role is OfficerRole.FIRST_SECRETARY:
            self.end_posting(case_id)
        else:
            self._release_case(role=role, case_id=case_id)

    def assign_as_cso(self, project_id: UUID) -> None:
        """Called with the project's id when the officer becomes its CSO."""
        self.take_case(OfficerRole.CSO, project_id)

    def release_cso_case(self, project_id: UUID) -> None:
        """Called when the officer stops being the project's CSO: reassigned, or closed."""
        self.release_case(OfficerRole.CSO, project_id)

    @event("AssignedAsCso")
    def _assign_as_cso(self, project_id: UUID) -> None:
        self._hold(OfficerRole.CSO, project_id)

    @event("CsoCaseReleased")
    def _release_cso_case(self, project_id: UUID) -> None:
        self._let_go(OfficerRole.CSO, project_id)

    @event("CaseTaken")
    def _take_case(self, role: OfficerRole, case_id: UUID) -> None:
        self._hold(role, case_id)

    @event("CaseReleased")
    def _release_case(self, role: OfficerRole, case_id: UUID) -> None:
        self._let_go(role, case_id)

    def _hold(self, role: OfficerRole, case_id: UUID) -> None:
        cases = self._cases.setdefault(role.value, [])
        if case_id not in cases:
            cases.append(case_id)

    def _let_go(self, role: OfficerRole, case_id: UUID) -> None:
        cases = self._cases.get(role.value, [])
        if case_id in cases:
            cases.remove(case_id)
        if not cases:
            self._cases.pop(role.value, None)

    def _ensure_not_holding(self, doing: str, roles: list[OfficerRole]) -> None:
        """Officers who hold cases keep what serving in them needs until they hand them over;
        the refusal names the cases."""
        for role in roles:
            held = self.held(role)
            if held:
                holding, handover = _HOLDINGS[role]
                ids = ", ".join(str(case_id) for case_id in held)
                raise RoleInUse(
                    f"Officer {self.name} is {holding} ({ids}); {doing} only after {handover}."
                )

    def change_roles(self, roles: list[OfficerRole]) -> None:
        """Replace the roles; giving the current roles again changes nothing."""
        if not self.active:
            raise OfficerInactive(f"Officer {self.name} is inactive; roles cannot change.")
        new_roles = normalise_roles(roles)
        if new_roles == self._roles:
            return
        for role in self._roles:
            if role not in new_roles:
                self._ensure_not_holding(f"the {role.value} role can be removed", [role])
        self._change_roles(roles=new_roles)

    @event("RolesChanged")
    def _change_roles(self, roles: list[OfficerRole]) -> None:
        self._roles = list(roles)

    def deactivate(self) -> None:
        if not self.active:
            raise OfficerAlreadyInactive(f"Officer {self.name} is already inactive.")
        self._ensure_not_holding("they can be deactivated", list(OfficerRole))
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
        self._hold(OfficerRole.FIRST_SECRETARY, posting_id)

    def end_posting(self, posting_id: UUID) -> None:
        if self.active_posting_id != posting_id:
            raise PostingNotActive(
                f"Posting {posting_id} is not officer {self.name}'s active posting."
            )
        self._end_posting(posting_id=posting_id)

    @event("FirstSecretaryPostingEnded")
    def _end_posting(self, posting_id: UUID) -> None:
        self._let_go(OfficerRole.FIRST_SECRETARY, posting_id)
