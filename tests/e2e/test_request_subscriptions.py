"""requestChanged over graphql-transport-ws: a department's queue, live."""

from __future__ import annotations

import uuid

import httpx
import pytest

from cso.graphql.auth import issue_token
from cso.services.identity import Role
from tests.e2e.conftest import Api
from tests.e2e.test_subscriptions import next_payload, subscribed
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

REQUEST_CHANGED = """subscription($department: String, $after: String) {
  requestChanged(department: $department, after: $after) { id status departments }
}"""
RAISE = """mutation($input: RaiseRequestInput!) {
  raiseRequest(input: $input) { requestId consistencyToken } }"""
REFER = """mutation($input: ReferRequestInput!) {
  referRequest(input: $input) { consistencyToken } }"""
RESOLVE = """mutation($input: ResolveRequestInput!) {
  resolveRequest(input: $input) { consistencyToken } }"""


@pytest.fixture
def gql(client: httpx.AsyncClient, api: Api) -> OverHttp:
    return OverHttp(client, api.secret)


async def test_a_departments_screen_sees_its_requests_referred_and_resolved_and_no_others(
    gql: OverHttp, api: Api
) -> None:
    department = f"区应急管理局-{uuid.uuid4().hex[:6]}"
    project_id = (await support.project(gql))["project"]["id"]

    async def raise_one() -> str:
        fields = {"projectId": project_id, "category": "OTHER", "description": "安全评价"}
        request_id: str = (await gql(RAISE, {"input": fields})).data["raiseRequest"]["requestId"]
        return request_id

    theirs, others = await raise_one(), await raise_one()
    start = (
        await gql(
            RAISE, {"input": {"projectId": project_id, "category": "LAND", "description": "用地"}}
        )
    ).data["raiseRequest"]
    variables = {"department": department, "after": start["consistencyToken"]}
    async with subscribed(api, Role.VIEWER, REQUEST_CHANGED, variables) as ws:
        await gql(
            REFER,
            {"input": {"projectId": project_id, "requestId": others, "departments": ["区税务局"]}},
        )
        await gql(
            REFER,
            {"input": {"projectId": project_id, "requestId": theirs, "departments": [department]}},
        )
        referred = (await next_payload(ws))["data"]["requestChanged"]
        assert referred == {"id": theirs, "status": "REFERRED", "departments": [department]}
        await gql(
            RESOLVE,
            {"input": {"projectId": project_id, "requestId": theirs, "resolution": "已办结"}},
        )
        resolved = (await next_payload(ws))["data"]["requestChanged"]
        assert (resolved["id"], resolved["status"]) == (theirs, "RESOLVED")


RETURN = """mutation($input: ReturnRequestInput!) {
  returnRequest(input: $input) { consistencyToken } }"""


async def test_a_departments_screen_hears_once_of_a_request_that_leaves_its_queue(
    gql: OverHttp, api: Api
) -> None:
    department = f"区应急管理局-{uuid.uuid4().hex[:6]}"
    officer = (await support.officer(gql))["officer"]["id"]
    project_id = (await support.project(gql))["project"]["id"]
    fields = {"projectId": project_id, "category": "OTHER", "description": "安全评价"}
    raised = (await gql(RAISE, {"input": fields})).data["raiseRequest"]
    request_id = raised["requestId"]
    refer = {"projectId": project_id, "requestId": request_id, "departments": [department]}
    variables = {"department": department, "after": raised["consistencyToken"]}
    async with subscribed(api, Role.VIEWER, REQUEST_CHANGED, variables) as ws:
        await gql(REFER, {"input": refer})
        assert (await next_payload(ws))["data"]["requestChanged"]["status"] == "REFERRED"
        token = issue_token(
            api.secret, sub=officer, role=Role.OFFICER, name="科员", dept=department
        )
        returned = await gql(
            RETURN,
            {"input": {"requestId": request_id, "reason": "不属于本部门职责"}},
            role=None,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert returned.data["returnRequest"]["consistencyToken"]
        left = (await next_payload(ws))["data"]["requestChanged"]
        assert left == {"id": request_id, "status": "OPEN", "departments": []}
        await gql(REFER, {"input": refer})
        assert (await next_payload(ws))["data"]["requestChanged"]["status"] == "REFERRED"
        await gql(REFER, {"input": {**refer, "departments": ["区税务局"]}})
        elsewhere = (await next_payload(ws))["data"]["requestChanged"]
        assert elsewhere["departments"] == ["区税务局"]
