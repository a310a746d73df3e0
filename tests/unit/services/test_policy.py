"""The policy as a table: role × action → allowed (API.md, "Who may do what")."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from cso.services import policy
from cso.services.errors import Forbidden
from cso.services.identity import Principal, Role

SUP, OFF, AUD, VIEW = Role.SUPERVISOR, Role.OFFICER, Role.AUDITOR, Role.VIEWER
OFFICER_ID = uuid4()

# mutation -> the roles that may ever run it (the case or department is checked later)
MUTATION_TABLE: dict[str, set[Role]] = {
    "registerOfficer": {SUP},
    "changeOfficerRoles": {SUP},
    "deactivateOfficer": {SUP},
    "establishChain": {SUP},
    "designateChainMaster": {SUP},
    "registerEnterprise": {SUP, OFF},
    "recordPartyOrganization": {SUP},
    "registerProject": {SUP, OFF},
    "assignCso": {SUP},
    "setServicePlan": {SUP, OFF},
    "completeServiceItem": {SUP, OFF},
    "recordService": {SUP, OFF},
    "reachMilestone": {SUP, OFF},
    "raiseRequest": {SUP, OFF},
    "referRequest": {SUP, OFF},
    "returnRequest": {SUP, OFF},
    "resolveRequest": {SUP, OFF},
    "rateRequest": {SUP, OFF},
    "extendRequestDeadline": {SUP},
    "setWorkingCalendar": {SUP},
    "closeProject": {SUP, OFF},
    "listHousingUnit": {SUP},
    "applyForHousing": {SUP, OFF},
    "assignCaso": {SUP},
    "approveHousingApplication": {SUP, OFF},
    "rejectHousingApplication": {SUP, OFF},
    "allocateHousingUnit": {SUP, OFF},
    "recordMoveIn": {SUP, OFF},
    "recordMoveOut": {SUP, OFF},
    "renewLease": {SUP, OFF},
    "erasePersonalData": {SUP},
    "postFirstSecretary": {SUP},
    "recordSecretaryVisit": {SUP, OFF},
    "recordPartyBuildingGuidance": {SUP, OFF},
    "logEnterpriseProblem": {SUP, OFF},
    "solveEnterpriseProblem": {SUP, OFF},
    "extendSecretaryTerm": {SUP},
    "startUnitMaintenance": {SUP, OFF},
    "endUnitMaintenance": {SUP, OFF},
    "endSecretaryPosting": {SUP},
    "eraseOfficerPersonalData": {SUP},
    "aMutationAddedLater": {SUP},
}


def principal(
    role: Role, sub: UUID | str = OFFICER_ID, dept: str = "区规划和自然资源局"
) -> Principal:
    return Principal(id=str(sub), role=role, name="Tester", dept=dept)


def test_the_table_covers_every_mutation_the_policy_knows() -> None:
    assert set(policy.MUTATIONS) <= set(MUTATION_TABLE)


@pytest.mark.parametrize("mutation", sorted(MUTATION_TABLE))
@pytest.mark.parametrize("role", list(Role))
def test_who_may_ever_run_each_mutation(mutation: str, role: Role) -> None:
    allowed = role in MUTATION_TABLE[mutation]
    assert policy.may_ever_run(role, mutation) is allowed
    if allowed:
        policy.require_may_ever_run(principal(role), mutation)
    else:
        with pytest.raises(Forbidden):
            policy.require_may_ever_run(principal(role), mutation)


@pytest.mark.parametrize(
    ("role", "allowed"), [(SUP, True), (OFF, True), (AUD, False), (VIEW, False)]
)
def test_only_supervisors_and_officers_make_changes(role: Role, allowed: bool) -> None:
    assert policy.makes_changes(role) is allowed


@pytest.mark.parametrize(
    ("role", "allowed"), [(SUP, True), (OFF, False), (AUD, False), (VIEW, False)]
)
def test_only_supervisors_pass_the_supervisor_check(role: Role, allowed: bool) -> None:
    if allowed:
        policy.require_supervisor(principal(role))
    else:
        with pytest.raises(Forbidden):
            policy.require_supervisor(principal(role))


@pytest.mark.parametrize(
    ("role", "allowed"), [(SUP, True), (OFF, False), (AUD, True), (VIEW, False)]
)
def test_audit_queries_are_for_auditors_and_supervisors(role: Role, allowed: bool) -> None:
    assert policy.may_run_audit_queries(principal(role)) is allowed
    if not allowed:
        with pytest.raises(Forbidden, match="audit queries"):
            policy.require_auditor(principal(role))


def test_the_audit_queries_are_the_six_api_md_names() -> None:
    assert {
        "streamHistory",
        "auditLog",
        "eventsByCorrelation",
        "verifyStream",
        "projectionStatus",
        "personalDataAccesses",
    } == policy.AUDIT_QUERIES


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_everything_but_the_audit_queries(role: Role) -> None:
    assert policy.require_reader(principal(role)) == principal(role)


# (role, whose data: "own" | "case" | "other") -> unmasked?
PERSONAL_DATA_TABLE = [
    (SUP, "other", True),
    (AUD, "other", True),
    (OFF, "own", True),
    (OFF, "case", True),
    (OFF, "other", False),
    (VIEW, "own", False),
    (VIEW, "case", False),
    (VIEW, "other", False),
]


@pytest.mark.parametrize(("role", "whose", "unmasked"), PERSONAL_DATA_TABLE)
def test_who_reads_personal_data_unmasked(role: Role, whose: str, unmasked: bool) -> None:
    subject = OFFICER_ID if whose == "own" else uuid4()
    case_officers = [OFFICER_ID] if whose == "case" else [uuid4()]
    assert policy.may_read_personal_data(principal(role), subject, case_officers) is unmasked


def test_an_officer_whose_token_names_no_officer_reads_nobody_unmasked() -> None:
    assert not policy.may_read_personal_data(principal(OFF, sub="not-a-uuid"), OFFICER_ID)


@pytest.mark.parametrize(
    ("role", "dept", "allowed"),
    [
        (OFF, "区规划和自然资源局", True),
        (OFF, "区科技局", False),
        (OFF, "", False),
        (VIEW, "区规划和自然资源局", False),
        (AUD, "区规划和自然资源局", False),
    ],
)
def test_only_an_officer_of_a_referred_department_works_the_request(
    role: Role, dept: str, allowed: bool
) -> None:
    referred = ("区规划和自然资源局", "区住房和建设局")
    assert policy.works_in_a_department_of(principal(role, dept=dept), referred) is allowed
