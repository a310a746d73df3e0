"""Every query and mutation of the schema, for every caller, against API.md's "Who may do
what": allowed, FORBIDDEN or UNAUTHENTICATED; personal data masked as API.md says.

A refused mutation must append nothing; an allowed one must get past authorisation (it may
still break a domain rule: the world is shared, and an earlier cell may have done it).
The rights below are read from API.md, not from the policy module they check.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from graphql import build_schema

from cso.services import policy
from tests.conftest import ROOT
from tests.e2e import postings_support as postings
from tests.e2e.access_world import (
    ALL_ROLES,
    LEASE_END,
    REFERRED_TO,
    Caller,
    Case,
    World,
    a_person,
    build_world,
)
from tests.e2e.conftest import Api
from tests.integration.graphql import support
from tests.integration.graphql.support import Body, OverHttp, credit_code, days_ago, unique

SCHEMA = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
LAST_POSITION = "SELECT coalesce(max(position), 0) FROM events"
TODAY = date.today().isoformat()
LATER = (date.today() + timedelta(days=900)).isoformat()
MATRIX_YEAR = 2077  # a year whose official calendar no other test records
# What an allowed cell may still hear: the shared world may be past the state it needs.
STATE_ERRORS = {"RULE_VIOLATED", "CONFLICT"}


class Who(enum.Enum):
    """Who, besides supervisors, API.md lets run a mutation or a query."""

    SUPERVISOR = "supervisors only"
    OFFICER = "any officer"
    CASE = "the officer who holds the case (CSO, CASO or first secretary)"
    # API.md's table lets supervisors do everything, but its mutation list says who returns
    # a request: "a referred department". A return is made for a department, and a
    # supervisor is none: they return no request (tests/e2e/test_request_returns.py).
    DEPARTMENT = "only an officer of a department the request is referred to"
    CASE_OR_DEPARTMENT = "the case's officer or a referred department's officer"
    READER = "every role"
    AUDITOR = "auditors"


ALLOWED = {
    Who.SUPERVISOR: set(),
    Who.OFFICER: {Case.CASE_OFFICER, Case.OTHER_OFFICER}
    | {Case.REFERRED_DEPARTMENT, Case.UNREFERRED_DEPARTMENT},
    Who.CASE: {Case.CASE_OFFICER},
    Who.DEPARTMENT: {Case.REFERRED_DEPARTMENT},
    Who.CASE_OR_DEPARTMENT: {Case.CASE_OFFICER, Case.REFERRED_DEPARTMENT},
    Who.READER: set(Case) - {Case.ANONYMOUS},
    Who.AUDITOR: {Case.AUDITOR},
}


def expected(who: Who, case: Case) -> str | None:
    """The refusal's code, or None when the cell is allowed."""
    if case is Case.ANONYMOUS:
        return "UNAUTHENTICATED"
    supervised = case is Case.SUPERVISOR and who is not Who.DEPARTMENT
    return None if supervised or case in ALLOWED[who] else "FORBIDDEN"


Input = Callable[[World, Case], Body]


@dataclass(frozen=True)
class Row:
    who: Who
    input: Input


def on(key: str, name: str, **extra: Any) -> Input:
    """An input naming the world's object `name` as `key`."""
    return lambda w, _: {key: w[name], **extra}


def returned(w: World, case: Case) -> Body:
    """The department returns a request of its own: a return ends the referral."""
    name = "returned_request" if case is Case.REFERRED_DEPARTMENT else "request"
    return {"requestId": w[name]}


UNIT = {"building": "矩阵楼", "rooms": 2, "areaSqm": "60.00", "monthlyRent": "900.00"}
# Mutations in the order a case lives: a cell meets its object in the state the ones before
# left it.
MUTATIONS: dict[str, Row] = {
    "registerOfficer": Row(
        Who.SUPERVISOR,
        lambda w, c: {
            "name": "王芳",
            "department": "区科技局",
            "roles": ["CSO"],
            "partyMember": True,
            "phone": "13800001111",
        },
    ),
    "changeOfficerRoles": Row(Who.SUPERVISOR, on("officerId", "spare_officer", roles=ALL_ROLES)),
    "deactivateOfficer": Row(Who.SUPERVISOR, on("officerId", "deactivated_officer")),
    "eraseOfficerPersonalData": Row(Who.SUPERVISOR, on("officerId", "erased_officer")),
    "establishChain": Row(
        Who.SUPERVISOR,
        lambda w, c: {"name": unique("链"), "leader": "王副区长", "leadDepartment": "区科技局"},
    ),
    "registerEnterprise": Row(
        Who.OFFICER,
        lambda w, c: {
            "name": unique("矩阵企业"),
            "creditCode": credit_code(),
            "district": "黄埔区",
            "sme": True,
        },
    ),
    "designateChainMaster": Row(
        Who.SUPERVISOR, lambda w, c: {"chainId": w["chain"], "enterpriseId": w["enterprise"]}
    ),
    "recordPartyOrganization": Row(
        Who.SUPERVISOR, on("enterpriseId", "enterprise", kind="BRANCH", memberCount=5)
    ),
    "registerProject": Row(Who.OFFICER, lambda w, c: support.project_input(w["enterprise"])),
    "assignCso": Row(
        Who.SUPERVISOR,
        lambda w, c: {"projectId": w["project"], "officerId": w.case_officer},
    ),
    "setServicePlan": Row(Who.CASE, on("projectId", "project", items=["选址", "供地"])),
    "completeServiceItem": Row(Who.CASE, on("projectId", "project", item="选址")),
    "recordService": Row(
        Who.CASE,
        on("projectId", "project", kind="VISIT", summary="走访", occurredOn=days_ago(1)),
    ),
    "reachMilestone": Row(
        Who.CASE, on("projectId", "project", milestone="SITE_SELECTED", on=days_ago(10))
    ),
    "raiseRequest": Row(
        Who.CASE, on("projectId", "project", category="POLICY", description="政策咨询")
    ),
    "referRequest": Row(Who.CASE, on("requestId", "request", departments=[REFERRED_TO])),
    "returnRequest": Row(Who.DEPARTMENT, returned),
    "extendRequestDeadline": Row(Who.SUPERVISOR, on("requestId", "request", workingDays=3)),
    "resolveRequest": Row(Who.CASE_OR_DEPARTMENT, on("requestId", "request", resolution="已办结")),
    "rateRequest": Row(Who.CASE, on("requestId", "request", satisfaction=5)),
    "closeProject": Row(Who.CASE, on("projectId", "closing_project", outcome="CANCELLED")),
    "setWorkingCalendar": Row(
        Who.SUPERVISOR, lambda w, c: {"year": MATRIX_YEAR, "holidays": [], "workdays": []}
    ),
    "listHousingUnit": Row(Who.SUPERVISOR, lambda w, c: {**UNIT, "unitNo": unique("单元")}),
    # Not in API.md's table (added with units' maintenance): any officer who may serve as CASO.
    "startUnitMaintenance": Row(Who.OFFICER, on("unitId", "maintained_unit")),
    "endUnitMaintenance": Row(Who.OFFICER, on("unitId", "maintained_unit")),
    "applyForHousing": Row(
        Who.OFFICER,
        lambda w, c: {**a_person(), "employerId": w["enterprise"], "tier": "C", "householdSize": 1},
    ),
    "assignCaso": Row(
        Who.SUPERVISOR,
        lambda w, c: {
            "applicationId": w["application"],
            "officerId": w.officers[Case.CASE_OFFICER],
        },
    ),
    "approveHousingApplication": Row(Who.CASE, on("applicationId", "application")),
    "rejectHousingApplication": Row(Who.CASE, on("applicationId", "rejected_application")),
    "allocateHousingUnit": Row(
        Who.CASE,
        lambda w, c: {
            "applicationId": w["application"],
            "unitId": w["unit"],
            "leaseEnd": LEASE_END,
        },
    ),
    "recordMoveIn": Row(Who.CASE, on("applicationId", "application", on=TODAY)),
    "renewLease": Row(Who.CASE, on("applicationId", "application", leaseEnd=LATER)),
    "recordMoveOut": Row(Who.CASE, on("applicationId", "application", on=TODAY)),
    "erasePersonalData": Row(Who.SUPERVISOR, on("applicationId", "erased_application")),
    "postFirstSecretary": Row(
        Who.SUPERVISOR,
        lambda w, c: postings.posting_input(w["posted_enterprise"], w["spare_officer"])["input"],
    ),
    "recordSecretaryVisit": Row(
        Who.CASE, on("postingId", "posting", on=days_ago(1), summary="走访")
    ),
    "recordPartyBuildingGuidance": Row(
        Who.CASE, on("postingId", "posting", on=days_ago(1), summary="党建指导")
    ),
    "logEnterpriseProblem": Row(
        Who.CASE, on("postingId", "posting", description="招工难", category="TALENT")
    ),
    "solveEnterpriseProblem": Row(
        Who.CASE,
        lambda w, c: {"postingId": w["posting"], "problemId": w["problem"], "solution": "已协调"},
    ),
    "extendSecretaryTerm": Row(Who.SUPERVISOR, on("postingId", "posting", termEnd=LATER)),
    "endSecretaryPosting": Row(Who.SUPERVISOR, on("postingId", "ended_posting", on=days_ago(1))),
}


@dataclass(frozen=True)
class Read:
    who: Who
    query: str
    variables: Callable[[World], Body] = lambda w: {}


def by_id(field: str, name: str, selection: str = "id") -> Read:
    """A query of one object by id: `field(id: …) { selection }`."""
    return Read(
        Who.READER, f"query($id: ID!) {{ {field}(id: $id) {{ {selection} }} }}", on_id(name)
    )


def on_id(name: str) -> Callable[[World], Body]:
    return lambda w: {"id": w[name]}


def listing(field: str, who: Who = Who.READER) -> Read:
    return Read(who, f"{{ {field}(first: 1) {{ totalCount }} }}")


QUERIES: dict[str, Read] = {
    "me": Read(Who.READER, "{ me { id role } }"),
    "officer": by_id("officer", "spare_officer"),
    "officers": listing("officers"),
    "enterprise": by_id("enterprise", "enterprise"),
    "enterprises": listing("enterprises"),
    "industryChains": Read(Who.READER, "{ industryChains { id } }"),
    "industryChain": by_id("industryChain", "chain"),
    "project": by_id("project", "project", "id requests { id }"),
    "projects": listing("projects"),
    "dashboard": Read(Who.READER, "{ dashboard { openRequests } }"),
    "workingCalendar": Read(Who.READER, "{ workingCalendar(year: 2030) { year } }"),
    "enterpriseRequest": by_id("enterpriseRequest", "request"),
    "enterpriseRequests": listing("enterpriseRequests"),
    "housingUnit": by_id("housingUnit", "unit"),
    "housingUnits": listing("housingUnits"),
    "housingApplication": by_id("housingApplication", "rejected_application"),
    "housingApplications": listing("housingApplications"),
    "secretaryPosting": by_id("secretaryPosting", "posting"),
    "secretaryPostings": listing("secretaryPostings"),
    "streamHistory": Read(
        Who.AUDITOR, "query($id: ID!) { streamHistory(streamId: $id) { version } }", on_id("chain")
    ),
    "auditLog": listing("auditLog", Who.AUDITOR),
    "eventsByCorrelation": Read(
        Who.AUDITOR, '{ eventsByCorrelation(correlationId: "matrix") { position } }'
    ),
    "verifyStream": Read(
        Who.AUDITOR, "query($id: ID!) { verifyStream(streamId: $id) { ok } }", on_id("chain")
    ),
    "projectionStatus": Read(Who.AUDITOR, "{ projectionStatus { name } }"),
    "personalDataAccesses": listing("personalDataAccesses", Who.AUDITOR),
}

SUBSCRIPTIONS: dict[str, Read] = {
    "projectChanged": Read(
        Who.READER,
        "subscription($id: ID!, $after: String) { projectChanged(id: $id, after: $after) { id } }",
        lambda w: {"id": w["project"], "after": w["since"]},
    ),
    "eventAppended": Read(
        Who.AUDITOR,
        "subscription($after: String) { eventAppended(after: $after) { position } }",
        lambda w: {"after": w["since"]},
    ),
    "requestChanged": Read(
        Who.READER,
        "subscription($after: String) { requestChanged(after: $after) { id } }",
        lambda w: {"after": w["since"]},
    ),
}

# Refused callers first, so that a cell an allowed caller changed is met by allowed ones.
CASES = [
    Case.ANONYMOUS,
    Case.VIEWER,
    Case.AUDITOR,
    Case.OTHER_OFFICER,
    Case.UNREFERRED_DEPARTMENT,
    Case.REFERRED_DEPARTMENT,
    Case.CASE_OFFICER,
    Case.SUPERVISOR,
]


def _ids(cells: list[tuple[str, Case]]) -> list[str]:
    return [f"{name}-{case.name.lower()}" for name, case in cells]


MUTATION_CELLS = [(name, case) for name in MUTATIONS for case in CASES]
QUERY_CELLS = [(name, case) for name in QUERIES for case in CASES]
SUBSCRIPTION_CELLS = [(name, case) for name in SUBSCRIPTIONS for case in CASES]


@pytest.fixture(scope="module")
async def caller(api: Api) -> AsyncIterator[Caller]:
    async with httpx.AsyncClient(base_url=api.url, timeout=10) as client:
        world = await build_world(OverHttp(client, api.secret))
        yield Caller(client, api.secret, world)


@pytest.fixture(scope="module")
async def log(database_url: str) -> AsyncIterator[asyncpg.Connection[Any]]:
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()


def test_every_query_and_mutation_of_the_schema_has_a_row_in_the_matrix() -> None:
    assert SCHEMA.query_type is not None and SCHEMA.mutation_type is not None
    assert set(SCHEMA.query_type.fields) == set(QUERIES)
    assert set(SCHEMA.mutation_type.fields) == set(MUTATIONS)
    assert SCHEMA.subscription_type is not None
    assert set(SCHEMA.subscription_type.fields) == set(SUBSCRIPTIONS)


def test_the_policy_names_the_right_of_every_mutation_and_every_audit_query() -> None:
    assert set(policy.MUTATIONS) == set(MUTATIONS)
    assert {
        name for name, read in QUERIES.items() if read.who is Who.AUDITOR
    } == policy.AUDIT_QUERIES


def mutation_document(name: str) -> str:
    """`name(input: $input) { consistencyToken }`, its input type read from the schema."""
    assert SCHEMA.mutation_type is not None
    input_type = SCHEMA.mutation_type.fields[name].args["input"].type
    return f"mutation($input: {input_type}) {{ {name}(input: $input) {{ consistencyToken }} }}"


def mutation_input(name: str, world: World, case: Case) -> Body:
    return {**MUTATIONS[name].input(world, case), "reason": "访问矩阵"}


@pytest.mark.parametrize(("name", "case"), MUTATION_CELLS, ids=_ids(MUTATION_CELLS))
async def test_a_mutation_is_allowed_or_refused_as_api_md_says(
    caller: Caller, log: asyncpg.Connection[Any], name: str, case: Case
) -> None:
    refusal = expected(MUTATIONS[name].who, case)
    document = mutation_document(name)
    before = await log.fetchval(LAST_POSITION)
    reply = await caller(case, document, {"input": mutation_input(name, caller.world, case)})
    errors = reply.body.get("errors") or []
    codes = [e.get("extensions", {}).get("code") for e in errors]
    if refusal is None:
        assert set(codes) <= STATE_ERRORS, reply.body
    else:
        assert codes == [refusal], reply.body
        assert reply.body["data"] is None
        assert await log.fetchval(LAST_POSITION) == before


@pytest.mark.parametrize(("name", "case"), QUERY_CELLS, ids=_ids(QUERY_CELLS))
async def test_a_query_is_answered_or_refused_as_api_md_says(
    caller: Caller, name: str, case: Case
) -> None:
    read = QUERIES[name]
    reply = await caller(case, read.query, read.variables(caller.world))
    refusal = expected(read.who, case)
    if refusal is None:
        assert reply.data[name] is not None
    else:
        assert reply.code == refusal
        assert not (reply.body.get("data") or {}).get(name)


@pytest.mark.parametrize(("name", "case"), SUBSCRIPTION_CELLS, ids=_ids(SUBSCRIPTION_CELLS))
async def test_a_subscription_streams_or_is_refused_as_api_md_says(
    caller: Caller, name: str, case: Case
) -> None:
    read = SUBSCRIPTIONS[name]
    subscribe = {"query": read.query, "variables": read.variables(caller.world)}
    async with caller.socket(case) as ws:
        await ws.send_json({"id": "1", "type": "subscribe", "payload": subscribe})
        first = await ws.receive_json(timeout=10)
        await ws.send_json({"id": "1", "type": "complete"})
    refusal = expected(read.who, case)
    assert first["type"] == "next", first  # a refusal is the stream's one result
    if refusal is None:
        assert first["payload"]["data"][name], first
    else:
        assert first["payload"]["data"] is None
        assert [e["extensions"]["code"] for e in first["payload"]["errors"]] == [refusal]


APPLICATION = """query($id: ID!, $caso: ID) {
  housingApplication(id: $id) { idNumber phone }
  housingApplications(first: 100, filter: { casoId: $caso }) {
    edges { node { id idNumber phone } } } }"""
OFFICER_PHONE = "query($id: ID!) { officer(id: $id) { phone } }"
UNMASKED = {Case.SUPERVISOR, Case.AUDITOR, Case.CASE_OFFICER}


@pytest.mark.parametrize("case", CASES[1:], ids=[c.name.lower() for c in CASES[1:]])
async def test_personal_data_is_unmasked_only_for_supervisors_auditors_and_the_case_officer(
    caller: Caller, case: Case
) -> None:
    world = caller.world
    holder = world.case_officer
    read = await caller(case, APPLICATION, {"id": world["application"], "caso": holder})
    application = read.data["housingApplication"]
    listed = {e["node"]["id"]: e["node"] for e in read.data["housingApplications"]["edges"]}
    assert {k: listed[world["application"]][k] for k in application} == application
    phone = (await caller(case, OFFICER_PHONE, {"id": holder})).data["officer"]["phone"]
    if case in UNMASKED:
        assert application["phone"] == "13912345678"
        assert "*" not in application["idNumber"]
        assert phone == "13812345678"
    else:
        assert application["phone"] == "139****5678"
        assert application["idNumber"][4:-4] == "*" * 10
        assert phone == "138****5678"
