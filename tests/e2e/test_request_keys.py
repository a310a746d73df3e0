"""referRequest, resolveRequest and rateRequest name a request by its id alone."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest

from tests.e2e.conftest import Api
from tests.e2e.test_enterprise_requests import district_today
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

RAISE = """mutation($input: RaiseRequestInput!) { raiseRequest(input: $input) { requestId } }"""
REFER = """mutation($input: ReferRequestInput!) {
  referRequest(input: $input) { project { id } } }"""
RESOLVE = """mutation($input: ResolveRequestInput!) {
  resolveRequest(input: $input) { project { id } } }"""
RATE = """mutation($input: RateRequestInput!) {
  rateRequest(input: $input) { project { requests { id status satisfaction } } } }"""


@pytest.fixture
def gql(client: httpx.AsyncClient, api: Api) -> OverHttp:
    return OverHttp(client, api.secret)


async def raised(gql: OverHttp) -> tuple[str, str]:
    signed_on = district_today() - timedelta(days=10)
    project_id = (await support.project(gql, signedOn=signed_on.isoformat()))["project"]["id"]
    fields = {"projectId": project_id, "category": "POLICY", "description": "政策兑现"}
    return project_id, (await gql(RAISE, {"input": fields})).data["raiseRequest"]["requestId"]


async def test_a_request_is_referred_resolved_and_rated_by_its_id_alone(gql: OverHttp) -> None:
    project_id, request_id = await raised(gql)
    referred = await gql(REFER, {"input": {"requestId": request_id, "departments": ["区发改局"]}})
    assert referred.data["referRequest"]["project"]["id"] == project_id
    resolved = await gql(RESOLVE, {"input": {"requestId": request_id, "resolution": "已兑现"}})
    assert resolved.data["resolveRequest"]["project"]["id"] == project_id
    rated = await gql(RATE, {"input": {"requestId": request_id, "satisfaction": 5}})
    [request] = rated.data["rateRequest"]["project"]["requests"]
    assert request == {"id": request_id, "status": "RESOLVED", "satisfaction": 5}


async def test_a_given_project_id_must_be_the_requests(gql: OverHttp) -> None:
    _, request_id = await raised(gql)
    other_project, _ = await raised(gql)
    fields = {"projectId": other_project, "requestId": request_id, "departments": ["区发改局"]}
    refused = await gql(REFER, {"input": fields})
    assert (refused.code, refused.error["extensions"]["field"]) == ("INVALID_INPUT", "requestId")


async def test_an_unknown_request_id_alone_answers_not_found(gql: OverHttp) -> None:
    fields = {"requestId": str(uuid.uuid4()), "resolution": "已办"}
    assert (await gql(RESOLVE, {"input": fields})).code == "NOT_FOUND"
