"""closeProject as CANCELLED settles the project's open requests in the same append."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from cso.services.identity import Role
from tests.e2e.conftest import Api
from tests.e2e.test_enterprise_requests import district_today
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

RAISE = """mutation($input: RaiseRequestInput!) { raiseRequest(input: $input) { requestId } }"""
REFER = """mutation($input: ReferRequestInput!) {
  referRequest(input: $input) { consistencyToken } }"""
CLOSE = """mutation($input: CloseProjectInput!) {
  closeProject(input: $input) { consistencyToken project { closed } } }"""
RATE = """mutation($input: RateRequestInput!) { rateRequest(input: $input) { consistencyToken } }"""
QUEUE = """query($filter: EnterpriseRequestFilter) {
  enterpriseRequests(first: 20, filter: $filter) { totalCount nodes { id } } }"""
ONE = """query($id: ID!) { enterpriseRequest(id: $id) {
  status resolution resolvedOn overdue departments } }"""


@pytest.fixture
def gql(client: httpx.AsyncClient, api: Api) -> OverHttp:
    return OverHttp(client, api.secret)


async def test_cancelling_a_project_settles_its_open_requests_out_of_every_queue(
    gql: OverHttp,
) -> None:
    signed_on = district_today() - timedelta(days=60)
    project = await support.project(gql, signedOn=signed_on.isoformat())
    project_id = project["project"]["id"]
    name = project["project"]["name"]
    raised = []
    for received_on in (signed_on + timedelta(days=1), district_today()):
        fields = {
            "projectId": project_id,
            "category": "PERMIT",
            "description": "消防验收",
            "receivedOn": received_on.isoformat(),
        }
        raised.append((await gql(RAISE, {"input": fields})).data["raiseRequest"]["requestId"])
    refer = {"projectId": project_id, "requestId": raised[0], "departments": ["区消防救援大队"]}
    assert (await gql(REFER, {"input": refer})).data["referRequest"]["consistencyToken"]

    closed = await gql(
        CLOSE, {"input": {"projectId": project_id, "outcome": "CANCELLED", "reason": "企业撤资"}}
    )
    headers = {"X-Consistency-Token": closed.data["closeProject"]["consistencyToken"]}

    for request_id in raised:
        reply = await gql(ONE, {"id": request_id}, role=Role.VIEWER, headers=headers)
        assert reply.data["enterpriseRequest"] == {
            "status": "RESOLVED",
            "resolution": f"Settled without an answer: project {name} was cancelled.",
            "resolvedOn": district_today().isoformat(),
            "overdue": False,
            "departments": ["区消防救援大队"] if request_id == raised[0] else [],
        }
    still_open = await gql(
        QUEUE,
        {"filter": {"projectId": project_id, "status": "REFERRED"}},
        role=Role.VIEWER,
        headers=headers,
    )
    assert still_open.data["enterpriseRequests"]["totalCount"] == 0
    rate = {"projectId": project_id, "requestId": raised[0], "satisfaction": 5}
    assert (await gql(RATE, {"input": rate})).code == "RULE_VIOLATED"
