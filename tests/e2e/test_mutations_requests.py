"""raiseRequest, referRequest, resolveRequest, rateRequest over HTTP."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from cso.domain.working_days import add_working_days
from cso.services.holiday_library import default_calendar
from cso.services.identity import Role
from tests.e2e.conftest import Api
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

REQUESTS = """requests { id category description status departments raisedOn dueOn overdue
  joint resolution resolvedOn satisfaction }"""

RAISE = f"""mutation($input: RaiseRequestInput!) {{
  raiseRequest(input: $input) {{ requestId consistencyToken project {{ {REQUESTS} }} }} }}"""
REFER = f"""mutation($input: ReferRequestInput!) {{
  referRequest(input: $input) {{ project {{ {REQUESTS} }} }} }}"""
RESOLVE = f"""mutation($input: ResolveRequestInput!) {{
  resolveRequest(input: $input) {{ project {{ {REQUESTS} }} }} }}"""
RATE = f"""mutation($input: RateRequestInput!) {{
  rateRequest(input: $input) {{ project {{ {REQUESTS} }} }} }}"""


@pytest.fixture
def gql(client: httpx.AsyncClient, api: Api) -> OverHttp:
    return OverHttp(client, api.secret)


async def test_a_request_goes_from_raised_to_referred_resolved_and_rated(gql: OverHttp) -> None:
    project_id, officer_id = await support.project_with_cso(gql)

    async def as_cso(query: str, fields: dict[str, object]) -> Any:
        variables = {"input": {"projectId": project_id, **fields}}
        return (await gql(query, variables, role=Role.OFFICER, sub=officer_id)).data

    raised = (await as_cso(RAISE, {"category": "LAND", "description": "用地指标"}))["raiseRequest"]
    request_id = raised["requestId"]
    request = raised["project"]["requests"][0]
    assert request["id"] == request_id
    assert (request["category"], request["status"], request["overdue"]) == ("LAND", "OPEN", False)
    due = add_working_days(date.fromisoformat(request["raisedOn"]), 10, default_calendar)
    assert request["dueOn"] == due.on.isoformat()

    referred = await as_cso(
        REFER, {"requestId": request_id, "departments": ["区规自局", "区发改局"]}
    )
    request = referred["referRequest"]["project"]["requests"][0]
    assert (request["status"], request["departments"], request["joint"]) == (
        "REFERRED",
        ["区规自局", "区发改局"],
        True,
    )

    resolved = await as_cso(RESOLVE, {"requestId": request_id, "resolution": "已落实指标"})
    request = resolved["resolveRequest"]["project"]["requests"][0]
    assert (request["status"], request["resolution"]) == ("RESOLVED", "已落实指标")
    assert request["resolvedOn"] is not None

    rated = await as_cso(RATE, {"requestId": request_id, "satisfaction": 5})
    assert rated["rateRequest"]["project"]["requests"][0]["satisfaction"] == 5


async def test_rating_an_unresolved_request_breaks_a_rule(gql: OverHttp) -> None:
    project_id, _ = await support.project_with_cso(gql)
    raised = await gql(
        RAISE, {"input": {"projectId": project_id, "category": "POLICY", "description": "政策"}}
    )
    request_id = raised.data["raiseRequest"]["requestId"]
    reply = await gql(
        RATE, {"input": {"projectId": project_id, "requestId": request_id, "satisfaction": 4}}
    )
    assert reply.code == "RULE_VIOLATED"


async def test_a_satisfaction_of_six_is_invalid_input(gql: OverHttp) -> None:
    project_id, _ = await support.project_with_cso(gql)
    raised = await gql(
        RAISE, {"input": {"projectId": project_id, "category": "OTHER", "description": "其他"}}
    )
    request_id = raised.data["raiseRequest"]["requestId"]
    await gql(
        RESOLVE, {"input": {"projectId": project_id, "requestId": request_id, "resolution": "好"}}
    )
    reply = await gql(
        RATE, {"input": {"projectId": project_id, "requestId": request_id, "satisfaction": 6}}
    )
    assert reply.code == "INVALID_INPUT"
    assert reply.error["extensions"]["field"] == "satisfaction"


async def test_referring_an_unknown_request_is_invalid_input_on_request_id(gql: OverHttp) -> None:
    project_id, _ = await support.project_with_cso(gql)
    reply = await gql(
        REFER,
        {
            "input": {
                "projectId": project_id,
                "requestId": "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11",
                "departments": ["区发改局"],
            }
        },
    )
    assert reply.code == "INVALID_INPUT"
    assert reply.error["extensions"]["field"] == "requestId"


async def test_an_officer_who_is_not_the_cso_raises_no_request(gql: OverHttp) -> None:
    project_id, _ = await support.project_with_cso(gql)
    other_id = (await support.officer(gql))["officer"]["id"]
    reply = await gql(
        RAISE,
        {"input": {"projectId": project_id, "category": "TALENT", "description": "人才"}},
        role=Role.OFFICER,
        sub=other_id,
    )
    assert reply.code == "FORBIDDEN"
