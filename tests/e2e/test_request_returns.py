"""returnRequest over HTTP: a referred department sends a request back, with a reason."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from cso.graphql.auth import issue_token
from cso.services.identity import Role
from tests.e2e.conftest import Api
from tests.e2e.test_enterprise_requests import district_today
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

FIRE = "区消防救援大队"
HOUSING = "区住建局"

RAISE = """mutation($input: RaiseRequestInput!) { raiseRequest(input: $input) { requestId } }"""
REFER = """mutation($input: ReferRequestInput!) {
  referRequest(input: $input) { consistencyToken } }"""
RETURN = """mutation($input: ReturnRequestInput!) { returnRequest(input: $input) {
  consistencyToken request { id status departments joint returns { department reason at } } } }"""
RESOLVE = """mutation($input: ResolveRequestInput!) {
  resolveRequest(input: $input) { consistencyToken } }"""
QUEUE = """query($filter: EnterpriseRequestFilter) {
  enterpriseRequests(first: 20, filter: $filter) { totalCount nodes { id } } }"""


@pytest.fixture
def gql(client: httpx.AsyncClient, api: Api) -> OverHttp:
    return OverHttp(client, api.secret)


@pytest.fixture
async def referred(gql: OverHttp) -> dict[str, str]:
    """A permit request on a new project, referred to the fire brigade and housing (会办)."""
    signed_on = district_today() - timedelta(days=30)
    project = await support.project(gql, signedOn=signed_on.isoformat())
    project_id = project["project"]["id"]
    fields = {"projectId": project_id, "category": "PERMIT", "description": "消防验收"}
    raised = await gql(RAISE, {"input": fields})
    request_id = raised.data["raiseRequest"]["requestId"]
    refer = {"projectId": project_id, "requestId": request_id, "departments": [FIRE, HOUSING]}
    await gql(REFER, {"input": refer})
    officer_id = (await support.officer(gql))["officer"]["id"]
    return {"project": project_id, "request": request_id, "officer": officer_id}


async def as_officer(
    client: httpx.AsyncClient, api: Api, officer_id: str, dept: str, fields: dict[str, Any]
) -> Any:
    token = issue_token(api.secret, sub=officer_id, role=Role.OFFICER, name="科员", dept=dept)
    response = await client.post(
        "/graphql",
        json={"query": RETURN, "variables": {"input": fields}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    return response.json()


def code(reply: Any) -> str:
    code: str = reply["errors"][0]["extensions"]["code"]
    return code


async def test_a_referred_departments_officer_returns_a_request_which_is_open_again_and_keeps_it(
    client: httpx.AsyncClient, api: Api, gql: OverHttp, referred: dict[str, str]
) -> None:
    fields = {"requestId": referred["request"], "reason": "不属于本部门职责"}
    reply = await as_officer(client, api, referred["officer"], FIRE, fields)
    assert "errors" not in reply, reply
    request = reply["data"]["returnRequest"]["request"]
    assert (request["id"], request["status"]) == (referred["request"], "OPEN")
    assert (request["departments"], request["joint"]) == ([], False)
    [kept] = request["returns"]
    assert (kept["department"], kept["reason"]) == (FIRE, "不属于本部门职责")
    assert datetime.fromisoformat(kept["at"]).tzinfo is not None
    token = reply["data"]["returnRequest"]["consistencyToken"]
    queue = await gql(
        QUEUE,
        {"filter": {"projectId": referred["project"], "department": FIRE}},
        headers={"X-Consistency-Token": token},
    )
    assert queue.data["enterpriseRequests"]["totalCount"] == 0
    # Returned, it is referred nowhere: the co-handler no longer acts on it.
    again = await as_officer(client, api, referred["officer"], HOUSING, fields)
    assert code(again) == "FORBIDDEN"


async def test_returning_needs_a_reason(
    client: httpx.AsyncClient, api: Api, referred: dict[str, str]
) -> None:
    reply = await as_officer(
        client, api, referred["officer"], FIRE, {"requestId": referred["request"]}
    )
    assert code(reply) == "INVALID_INPUT"
    assert reply["errors"][0]["extensions"]["field"] == "reason"


async def test_an_officer_of_another_department_or_of_none_may_not_return_it(
    client: httpx.AsyncClient, api: Api, gql: OverHttp, referred: dict[str, str]
) -> None:
    fields = {"requestId": referred["request"], "reason": "退回"}
    assert (
        code(await as_officer(client, api, referred["officer"], "区税务局", fields)) == "FORBIDDEN"
    )
    assert code(await as_officer(client, api, referred["officer"], "", fields)) == "FORBIDDEN"
    # A supervisor may do everything else, but returns for no department.
    assert (await gql(RETURN, {"input": fields})).code == "FORBIDDEN"


async def test_a_stranger_with_a_department_claim_may_not_return_it(
    client: httpx.AsyncClient, api: Api, referred: dict[str, str]
) -> None:
    fields = {"requestId": referred["request"], "reason": "退回"}
    stranger = "00000000-0000-4000-8000-000000000001"
    assert code(await as_officer(client, api, stranger, FIRE, fields)) == "FORBIDDEN"


async def test_returning_an_unknown_request_answers_not_found(
    client: httpx.AsyncClient, api: Api, referred: dict[str, str]
) -> None:
    fields = {"requestId": "00000000-0000-4000-8000-000000000002", "reason": "退回"}
    assert code(await as_officer(client, api, referred["officer"], FIRE, fields)) == "NOT_FOUND"


async def test_an_officer_of_another_department_is_told_what_requests_they_may_resolve(
    client: httpx.AsyncClient, api: Api, referred: dict[str, str]
) -> None:
    token = issue_token(
        api.secret, sub=referred["officer"], role=Role.OFFICER, name="科员", dept="区税务局"
    )
    fields = {"requestId": referred["request"], "resolution": "已办结"}
    response = await client.post(
        "/graphql",
        json={"query": RESOLVE, "variables": {"input": fields}},
        headers={"Authorization": f"Bearer {token}"},
    )
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["message"] == (
        "an officer acts only on requests of their own cases (as CSO or first secretary) "
        "or referred to their department"
    )
