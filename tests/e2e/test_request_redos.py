"""Redos over HTTP: a rating of 1 or 2 reopens a request, due anew from that day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from cso.domain.working_days import add_working_days
from cso.services.holiday_library import default_calendar
from cso.services.identity import Role
from tests.e2e.conftest import Api
from tests.e2e.test_enterprise_requests import district_today
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

RAISE = """mutation($input: RaiseRequestInput!) { raiseRequest(input: $input) { requestId } }"""
REFER = """mutation($input: ReferRequestInput!) {
  referRequest(input: $input) { consistencyToken } }"""
RESOLVE = """mutation($input: ResolveRequestInput!) {
  resolveRequest(input: $input) { consistencyToken } }"""
RATE = """mutation($input: RateRequestInput!) { rateRequest(input: $input) { consistencyToken } }"""
ONE = """query($id: ID!) { enterpriseRequest(id: $id) {
  status departments redoCount dueOn resolution satisfaction overdue } }"""
HISTORY = """query($id: ID!) { streamHistory(streamId: $id) { type data } }"""
DASHBOARD = """{ dashboard { redoRate averageSatisfaction } }"""


@pytest.fixture
def gql(client: httpx.AsyncClient, api: Api) -> OverHttp:
    return OverHttp(client, api.secret)


@pytest.fixture
async def answered(gql: OverHttp) -> dict[str, str]:
    """A land request received 20 days ago, referred and resolved today (late)."""
    project = await support.project(
        gql, signedOn=(district_today() - timedelta(days=30)).isoformat()
    )
    project_id = project["project"]["id"]
    received_on = (district_today() - timedelta(days=20)).isoformat()
    fields = {
        "projectId": project_id,
        "category": "LAND",
        "description": "用地红线",
        "receivedOn": received_on,
    }
    request_id = (await gql(RAISE, {"input": fields})).data["raiseRequest"]["requestId"]
    keys = {"projectId": project_id, "requestId": request_id}
    await gql(REFER, {"input": {**keys, "departments": ["区规划和自然资源局"]}})
    await gql(RESOLVE, {"input": {**keys, "resolution": "已答复"}})
    return keys


async def rate(gql: OverHttp, keys: dict[str, str], satisfaction: int) -> Any:
    reply = await gql(RATE, {"input": {**keys, "satisfaction": satisfaction}})
    token = reply.data["rateRequest"]["consistencyToken"]
    return (await gql(ONE, {"id": keys["requestId"]}, headers={"X-Consistency-Token": token})).data[
        "enterpriseRequest"
    ]


async def test_a_rating_of_two_reopens_the_request_due_anew_from_that_day(
    gql: OverHttp, answered: dict[str, str]
) -> None:
    request = await rate(gql, answered, 2)
    expected = add_working_days(district_today(), 10, default_calendar).on
    assert request["status"] == "OPEN"
    assert (request["redoCount"], request["departments"], request["resolution"]) == (1, [], None)
    assert date.fromisoformat(request["dueOn"]) == expected
    assert request["overdue"] is False
    assert request["satisfaction"] == 2  # the last rating, until it is answered anew
    history = (await gql(HISTORY, {"id": answered["requestId"]})).data["streamHistory"]
    [redone] = [e for e in history if e["type"] == "EnterpriseRequest.Redone"]
    assert redone["data"]["due_on"] == expected.isoformat()
    assert redone["data"]["reopened_on"] == district_today().isoformat()


async def test_a_redone_request_is_answered_and_rated_again(
    gql: OverHttp, answered: dict[str, str]
) -> None:
    await rate(gql, answered, 1)
    await gql(REFER, {"input": {**answered, "departments": ["区住建局"]}})
    await gql(RESOLVE, {"input": {**answered, "resolution": "重新办理"}})
    request = await rate(gql, answered, 4)
    assert (request["status"], request["redoCount"], request["satisfaction"]) == ("RESOLVED", 1, 4)


async def test_a_rating_of_three_or_more_closes_the_matter(
    gql: OverHttp, answered: dict[str, str]
) -> None:
    request = await rate(gql, answered, 3)
    assert (request["status"], request["redoCount"], request["satisfaction"]) == ("RESOLVED", 0, 3)


async def test_the_dashboard_redo_rate_is_redone_over_rated(
    gql: OverHttp, answered: dict[str, str]
) -> None:
    await rate(gql, answered, 2)
    figures = (await gql(DASHBOARD, role=Role.VIEWER)).data["dashboard"]
    assert 0 < figures["redoRate"] <= 1
    assert 1 <= figures["averageSatisfaction"] <= 5
