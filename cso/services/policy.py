"""Who may do what (API.md, "Who may do what"): every read and write right, decided here.

The use cases ask it before they change anything; GraphQL adapters (`cso.graphql.permissions`,
`privacy`, the audit queries) ask it before they parse anything or show anything.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from typing import TYPE_CHECKING
from uuid import UUID

from cso.domain.enums import OfficerRole
from cso.domain.officer import Officer
from cso.services.errors import Forbidden, NotFound
from cso.services.identity import Principal, Role

if TYPE_CHECKING:
    from cso.domain.housing_application import HousingApplication
    from cso.domain.project import Project
    from cso.domain.secretary_posting import SecretaryPosting
    from cso.services.application import UnitOfWork


class Right(enum.Enum):
    """Who, besides supervisors, may run a mutation."""

    SUPERVISOR = "supervisors only"
    OFFICER = "any officer"
    CASE = "the officer who holds the case"
    DEPARTMENT = "an officer of a department the request is referred to"
    CASE_OR_DEPARTMENT = "the case's officer or a referred department's officer"
    CASO = "an officer who can serve as CASO"


# Every mutation of the API, by its GraphQL name. A name missing here is for supervisors.
MUTATIONS: dict[str, Right] = {
    "registerOfficer": Right.SUPERVISOR,
    "changeOfficerRoles": Right.SUPERVISOR,
    "deactivateOfficer": Right.SUPERVISOR,
    "establishChain": Right.SUPERVISOR,
    "designateChainMaster": Right.SUPERVISOR,
    "registerEnterprise": Right.OFFICER,
    "recordPartyOrganization": Right.SUPERVISOR,
    "registerProject": Right.OFFICER,
    "assignCso": Right.SUPERVISOR,
    "setServicePlan": Right.CASE,
    "completeServiceItem": Right.CASE,
    "recordService": Right.CASE,
    "reachMilestone": Right.CASE,
    "raiseRequest": Right.CASE,
    "referRequest": Right.CASE,
    "returnRequest": Right.DEPARTMENT,
    "resolveRequest": Right.CASE_OR_DEPARTMENT,
    "rateRequest": Right.CASE,
    "extendRequestDeadline": Right.SUPERVISOR,
    "setWorkingCalendar": Right.SUPERVISOR,
    "closeProject": Right.CASE,
    "listHousingUnit": Right.SUPERVISOR,
    "applyForHousing": Right.OFFICER,
    "assignCaso": Right.SUPERVISOR,
    "approveHousingApplication": Right.CASE,
    "rejectHousingApplication": Right.CASE,
    "allocateHousingUnit": Right.CASE,
    "recordMoveIn": Right.CASE,
    "recordMoveOut": Right.CASE,
    "renewLease": Right.CASE,
    "erasePersonalData": Right.SUPERVISOR,
    "startUnitMaintenance": Right.CASO,
    "endUnitMaintenance": Right.CASO,
    "postFirstSecretary": Right.SUPERVISOR,
    "recordSecretaryVisit": Right.CASE,
    "recordPartyBuildingGuidance": Right.CASE,
    "logEnterpriseProblem": Right.CASE,
    "solveEnterpriseProblem": Right.CASE,
    "extendSecretaryTerm": Right.SUPERVISOR,
    "endSecretaryPosting": Right.SUPERVISOR,
    "eraseOfficerPersonalData": Right.SUPERVISOR,
}

AUDIT_QUERIES = frozenset(
    {
        "streamHistory",
        "auditLog",
        "eventsByCorrelation",
        "verifyStream",
        "projectionStatus",
        "personalDataAccesses",
    }
)

_CHANGERS = (Role.SUPERVISOR, Role.OFFICER)
_AUDITORS = (Role.AUDITOR, Role.SUPERVISOR)
_UNMASKED = (Role.SUPERVISOR, Role.AUDITOR)


# -- writes ---------------------------------------------------------------------------


def makes_changes(role: Role) -> bool:
    """Viewers and auditors run no mutation at all."""
    return role in _CHANGERS


def may_ever_run(role: Role, mutation: str) -> bool:
    """Whether a caller of `role` may run `mutation` on some object (its GraphQL name).

    The finer question — on this object? — needs the object, and is asked by the use case.
    """
    if role is Role.SUPERVISOR:
        return True
    return (
        role is Role.OFFICER and MUTATIONS.get(mutation, Right.SUPERVISOR) is not Right.SUPERVISOR
    )


def require_may_ever_run(principal: Principal, mutation: str) -> None:
    """Raises Forbidden unless `may_ever_run`."""
    if not makes_changes(principal.role):
        raise Forbidden(f"{_article(principal.role)} makes no changes")
    if not may_ever_run(principal.role, mutation):
        right = MUTATIONS.get(mutation, Right.SUPERVISOR)
        raise Forbidden(f"{mutation} is for {right.value}, not {_article(principal.role)}")


def require_supervisor(principal: Principal) -> None:
    """Raises Forbidden for every role but supervisors."""
    if principal.role is not Role.SUPERVISOR:
        raise Forbidden(f"only a supervisor may do this, not {_article(principal.role)}")


def require_officer_or_supervisor(principal: Principal) -> None:
    """Raises Forbidden for viewers and auditors."""
    if not makes_changes(principal.role):
        raise Forbidden(f"{_article(principal.role)} makes no changes")


async def require_case_officer(
    uow: UnitOfWork, case_officer_id: UUID | None, role: OfficerRole, cases: str
) -> None:
    """Supervisors act on every case; an officer only on a case they hold (`case_officer_id`
    names them), and only while they can still serve in `role` (active, a party member,
    holding the role). `cases` names the kind for the refusal, e.g. "projects whose CSO
    they are". Raises Forbidden.
    """
    principal = uow.command.principal
    require_officer_or_supervisor(principal)
    if principal.role is not Role.OFFICER:
        return
    officer_id = principal.officer_id
    if officer_id is None or officer_id != case_officer_id:
        raise Forbidden(f"an officer acts only on {cases}")
    officer = await uow.get(officer_id, Officer)
    refusal = officer.why_cannot_serve_as(role)
    if refusal is not None:
        raise Forbidden(f"an officer who cannot serve as {role.value} acts on no case: {refusal}")


async def require_unit_keeper(uow: UnitOfWork) -> None:
    """A supervisor, or an active registered officer who can serve as CASO: those who look
    after the tenancies take a unit in and out of maintenance. Raises Forbidden."""
    principal = uow.command.principal
    require_officer_or_supervisor(principal)
    if principal.role is not Role.OFFICER:
        return
    await require_active_officer(uow, principal)
    assert principal.officer_id is not None  # an active registered officer has one
    refusal = (await uow.get(principal.officer_id, Officer)).why_cannot_serve_as(OfficerRole.CASO)
    if refusal is not None:
        raise Forbidden(f"only an officer who can serve as CASO maintains units: {refusal}")


async def require_cso_of(uow: UnitOfWork, project: Project) -> None:
    """The project's current CSO, while they can serve as CSO, or a supervisor."""
    await require_case_officer(uow, project.cso_id, OfficerRole.CSO, "projects whose CSO they are")


async def require_caso_of(uow: UnitOfWork, application: HousingApplication) -> None:
    """The application's CASO, while they can serve as CASO, or a supervisor."""
    await require_case_officer(
        uow, application.caso_id, OfficerRole.CASO, "housing applications whose CASO they are"
    )


async def require_secretary_of(uow: UnitOfWork, posting: SecretaryPosting) -> None:
    """The posted officer, while they can serve as first secretary, or a supervisor."""
    await require_case_officer(
        uow, posting.officer_id, OfficerRole.FIRST_SECRETARY, "postings they are posted to"
    )


def works_in_a_department_of(principal: Principal, departments: Collection[str]) -> bool:
    """An officer whose `dept` claim is one the request is referred to."""
    return principal.role is Role.OFFICER and bool(principal.dept) and principal.dept in departments


async def require_request_case_officer(
    uow: UnitOfWork, case: Project | SecretaryPosting, cases: str | None = None
) -> None:
    """The case officer of a request, for either source: the CSO of the project it was
    raised on, or the first secretary posted where it was logged; or a supervisor.
    `cases` words the refusal (default: the case's kind). Raises Forbidden."""
    from cso.domain.secretary_posting import SecretaryPosting

    if isinstance(case, SecretaryPosting):
        await require_case_officer(
            uow,
            case.officer_id,
            OfficerRole.FIRST_SECRETARY,
            cases or "postings they are posted to",
        )
    else:
        await require_case_officer(
            uow, case.cso_id, OfficerRole.CSO, cases or "projects whose CSO they are"
        )


# What an officer may handle, in a refusal to handle a request.
REQUESTS_HANDLED = (
    "requests of their own cases (as CSO or first secretary) or referred to their department"
)


async def require_request_handler(
    uow: UnitOfWork, case: Project | SecretaryPosting, departments: Collection[str]
) -> None:
    """The request's case officer, an active registered officer of a department the
    request is referred to, or a supervisor. Raises Forbidden."""
    principal = uow.command.principal
    if works_in_a_department_of(principal, departments):
        await require_active_officer(uow, principal)
        return
    await require_request_case_officer(uow, case, REQUESTS_HANDLED)


async def require_active_officer(uow: UnitOfWork, principal: Principal) -> None:
    """The token names a registered officer who is still active; the `dept` claim alone
    grants nothing to a stranger or to a deactivated officer. Raises Forbidden."""
    try:
        officer = (
            None if principal.officer_id is None else await uow.get(principal.officer_id, Officer)
        )
    except NotFound:
        officer = None
    if officer is None or not officer.active:
        raise Forbidden("only an active registered officer acts for a department")


# -- reads ----------------------------------------------------------------------------


def require_reader(principal: Principal) -> Principal:
    """Every role reads everything but the audit queries (a token is needed: the caller
    raises Unauthenticated without one)."""
    return principal


def may_run_audit_queries(principal: Principal) -> bool:
    """Auditors and supervisors."""
    return principal.role in _AUDITORS


def require_auditor(principal: Principal) -> None:
    """Raises Forbidden unless `may_run_audit_queries`."""
    if not may_run_audit_queries(principal):
        raise Forbidden(
            f"audit queries are for auditors and supervisors, not {_article(principal.role)}"
        )


def may_read_personal_data(
    principal: Principal, subject_id: UUID, case_officer_ids: Collection[UUID] = ()
) -> bool:
    """Supervisors and auditors read everyone's personal data unmasked; an officer reads
    their own, and that of the people on cases they hold (`case_officer_ids`, e.g. the
    CASO of a housing application); viewers read it masked."""
    if principal.role in _UNMASKED:
        return True
    if principal.role is not Role.OFFICER or principal.officer_id is None:
        return False
    return principal.officer_id == subject_id or principal.officer_id in case_officer_ids


def _article(role: Role) -> str:
    """'an auditor', 'a viewer': refusals read as English."""
    return f"{'an' if role.value[0] in 'aeiou' else 'a'} {role.value}"
