"""The callers of the access matrix (API.md, "Who may do what") and the small world they act
on: one of each case an officer can hold, built over HTTP as a client would.

Every officer of the world may serve in every role (a party member with the CSO, CASO and
FIRST_SECRETARY roles): a refusal then says "not your case", never "not your role".
"""

from __future__ import annotations

import contextlib
import enum
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from httpx_ws import AsyncWebSocketSession, aconnect_ws

from cso.graphql.auth import issue_token
from cso.services.identity import Role
from tests.e2e import postings_support as postings
from tests.id_numbers import an_id_number
from tests.integration.graphql import support
from tests.integration.graphql.support import SUPERVISOR_ID, Body, OverHttp, Reply, mutation

REFERRED_TO = "区规划和自然资源局"
NOT_REFERRED_TO = "区市场监督管理局"
ALL_ROLES = ["CSO", "CASO", "FIRST_SECRETARY"]
LEASE_END = (date.today() + timedelta(days=365)).isoformat()


class Case(enum.Enum):
    """A caller of the matrix: a role, or an officer in a relation to the object acted on."""

    ANONYMOUS = "no token"
    VIEWER = "viewer"
    AUDITOR = "auditor"
    SUPERVISOR = "supervisor"
    CASE_OFFICER = "officer on their own case"
    OTHER_OFFICER = "officer on someone else's case"
    REFERRED_DEPARTMENT = "department officer on a request referred to them"
    UNREFERRED_DEPARTMENT = "department officer on a request not referred to them"


OFFICER_CASES = (
    Case.CASE_OFFICER,
    Case.OTHER_OFFICER,
    Case.REFERRED_DEPARTMENT,
    Case.UNREFERRED_DEPARTMENT,
)


@dataclass
class World:
    """Ids of what the matrix acts on; `officers` maps an officer case to its officer id."""

    officers: dict[Case, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> str:
        return self.ids[name]

    @property
    def case_officer(self) -> str:
        """The officer who holds every case of the world."""
        return self.officers[Case.CASE_OFFICER]


@dataclass
class Caller:
    """Sends GraphQL as one case of the matrix (its token's role, subject and `dept`)."""

    client: httpx.AsyncClient
    secret: str
    world: World

    def token(self, case: Case) -> str | None:
        dept = {Case.REFERRED_DEPARTMENT: REFERRED_TO, Case.UNREFERRED_DEPARTMENT: NOT_REFERRED_TO}
        if case is Case.ANONYMOUS:
            return None
        if case in OFFICER_CASES:
            sub, role = self.world.officers[case], Role.OFFICER
        else:
            sub, role = str(uuid.uuid4()), Role(case.value)
            sub = SUPERVISOR_ID if role is Role.SUPERVISOR else sub
        return issue_token(self.secret, sub=sub, role=role, name="矩阵", dept=dept.get(case, "QA"))

    @contextlib.asynccontextmanager
    async def socket(self, case: Case) -> AsyncIterator[AsyncWebSocketSession]:
        """A graphql-transport-ws connection, acknowledged, with the case's token if any."""
        token = self.token(case)
        credentials = {} if token is None else {"Authorization": f"Bearer {token}"}
        async with aconnect_ws(  # type: ignore[var-annotated]
            "/graphql", self.client, subprotocols=["graphql-transport-ws"]
        ) as ws:
            await ws.send_json({"type": "connection_init", "payload": credentials})
            assert (await ws.receive_json(timeout=10))["type"] == "connection_ack"
            yield ws

    async def __call__(self, case: Case, query: str, variables: Body | None = None) -> Reply:
        token = self.token(case)
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        return Reply(response.json(), dict(response.headers))


def a_person() -> Body:
    """applyForHousing's personal fields for a new person."""
    return {
        "applicantName": f"矩阵申请人{uuid.uuid4().hex[:6]}",
        "idNumber": an_id_number(),
        "phone": "13912345678",
    }


async def _run(gql: OverHttp, name: str, fields: Body, selection: str) -> Any:
    reply = await gql(mutation(name, selection), {"input": fields})
    return reply.data[name]


async def _officer(gql: OverHttp, department: str = "区投资促进局") -> str:
    body = await support.officer(gql, roles=ALL_ROLES, department=department)
    officer_id: str = body["officer"]["id"]
    return officer_id


async def _project(gql: OverHttp, cso: str, enterprise: str) -> tuple[str, str]:
    """A new project of `enterprise` with `cso` as its CSO: its id, and the consistency
    token of the assignment."""
    project_id: str = (await support.project(gql, enterprise))["project"]["id"]
    assignment = {"projectId": project_id, "officerId": cso}
    assigned = await _run(gql, "assignCso", assignment, "consistencyToken")
    return project_id, assigned["consistencyToken"]


async def _request(gql: OverHttp, project: str) -> str:
    """A request raised on the project and referred to REFERRED_TO."""
    raised = await _run(
        gql,
        "raiseRequest",
        {"projectId": project, "category": "LAND", "description": "用地指标"},
        "requestId",
    )
    request_id: str = raised["requestId"]
    referral = {"requestId": request_id, "departments": [REFERRED_TO]}
    await _run(gql, "referRequest", referral, "consistencyToken")
    return request_id


async def _application(gql: OverHttp, caso: str, employer: str) -> str:
    applied = await _run(
        gql,
        "applyForHousing",
        {**a_person(), "employerId": employer, "tier": "B", "householdSize": 2},
        "application { id }",
    )
    application_id: str = applied["application"]["id"]
    assignment = {"applicationId": application_id, "officerId": caso}
    await _run(gql, "assignCaso", assignment, "consistencyToken")
    return application_id


async def _unit(gql: OverHttp) -> str:
    unit = {
        "building": "矩阵楼",
        "unitNo": uuid.uuid4().hex[:8],
        "rooms": 3,
        "areaSqm": "90.00",
        "monthlyRent": "1500.00",
    }
    listed = await _run(gql, "listHousingUnit", unit, "unit { id }")
    unit_id: str = listed["unit"]["id"]
    return unit_id


async def build_world(gql: OverHttp) -> World:
    """The officers of each case and the objects the matrix acts on (about 40 mutations)."""
    world = World()
    holder = await _officer(gql)
    world.officers = {
        Case.CASE_OFFICER: holder,
        Case.OTHER_OFFICER: await _officer(gql),
        Case.REFERRED_DEPARTMENT: await _officer(gql, REFERRED_TO),
        Case.UNREFERRED_DEPARTMENT: await _officer(gql, NOT_REFERRED_TO),
    }
    ids = world.ids
    ids["chain"] = (await support.chain(gql))["chain"]["id"]
    ids["enterprise"] = await postings.sme(gql)
    # What follows `since` changes the project and its requests: a subscription that
    # resumes after it is sent something at once.
    ids["project"], ids["since"] = await _project(gql, holder, ids["enterprise"])
    ids["closing_project"], _ = await _project(gql, holder, ids["enterprise"])
    await _run(
        gql,
        "setServicePlan",
        {"projectId": ids["project"], "items": ["选址", "供地"]},
        "consistencyToken",
    )
    for name in ("request", "returned_request"):
        ids[name] = await _request(gql, ids["project"])
    for name in ("application", "rejected_application", "erased_application"):
        ids[name] = await _application(gql, holder, ids["enterprise"])
    ids["unit"] = await _unit(gql)
    ids["maintained_unit"] = await _unit(gql)
    for name in ("spare_officer", "deactivated_officer", "erased_officer", "second_secretary"):
        ids[name] = await _officer(gql)
    ids["posting"] = (await postings.posting(gql, officer_id=holder))["id"]
    ids["ended_posting"] = (await postings.posting(gql, officer_id=ids["second_secretary"]))["id"]
    ids["posted_enterprise"] = await postings.sme(gql)
    logged = await _run(
        gql,
        "logEnterpriseProblem",
        {"postingId": ids["posting"], "description": "融资难", "category": "FINANCING"},
        "problemId request { id }",
    )
    ids["problem"] = logged["problemId"]
    ids["problem_request"] = logged["request"]["id"]
    return world
