"""enterpriseRequests (a department's queue) and enterpriseRequest over HTTP."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from cso.domain.working_days import add_working_days
from cso.graphql.auth import issue_token
from cso.runtime import local_today
from cso.services.holiday_library import default_calendar
from cso.services.identity import Role
from tests.e2e.conftest import Api
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

FIRE = "区消防救援大队"
HOUSING = "区住建局"

RAISE = """mutation($input: RaiseRequestInput!) { raiseRequest(input: $input) { requestId } }"""
REFER = """mutation($input: ReferRequestInput!) {
  referRequest(input: $input) { consistencyToken } }"""
RESOLVE = """mutation($input: ResolveRequestInput!) {
  resolveRequest(input: $input) { consistencyToken } }"""
QUEUE = """query($filter: EnterpriseRequestFilter, $orderBy: EnterpriseRequestOrder) {
  enterpriseRequests(first: 20, filter: $filter, orderBy: $orderBy) {
    totalCount nodes { id category status departments dueOn overdue dueSoon source } } }"""
ONE = """query($id: ID!) { enterpriseRequest(id: $id) {
  id status leadDepartments: departments receivedOn dueOn calendarSource source
  project { id } } }"""


@pytest.fixture
def gql(client: httpx.AsyncClient, api: Api) -> OverHttp:
    return OverHttp(client, api.secret)


def district_today() -> date:
    return local_today(ZoneInfo("Asia/Shanghai"))


def received_to_be_due_soon(signed_on: date) -> date:
    """A day a PERMIT (5 working days) received on is due today or within two days."""
    today = district_today()
    day = today
    while day >= signed_on:
        due = add_working_days(day, 5, default_calendar).on
        if today <= due <= today + timedelta(days=2):
            return day
        day -= timedelta(days=1)
    raise AssertionError("no such day since signing")


@pytest.fixture
async def queue(gql: OverHttp) -> dict[str, Any]:
    """A project with three requests: overdue (fire and housing), fresh, due soon (fire)."""
    signed_on = district_today() - timedelta(days=60)
    project = await support.project(gql, signedOn=signed_on.isoformat())
    project_id = project["project"]["id"]

    async def raise_one(category: str, received_on: date) -> str:
        fields = {
            "projectId": project_id,
            "category": category,
            "description": "消防验收",
            "receivedOn": received_on.isoformat(),
        }
        reply = await gql(RAISE, {"input": fields})
        request_id: str = reply.data["raiseRequest"]["requestId"]
        return request_id

    overdue = await raise_one("PERMIT", signed_on + timedelta(days=1))
    fresh = await raise_one("LAND", district_today())
    soon = await raise_one("PERMIT", received_to_be_due_soon(signed_on))

    async def refer(request_id: str, departments: list[str]) -> Any:
        fields = {"projectId": project_id, "requestId": request_id, "departments": departments}
        return await gql(REFER, {"input": fields})

    await refer(overdue, [HOUSING, FIRE])
    last = await refer(soon, [FIRE])
    token = last.data["referRequest"]["consistencyToken"]
    return {
        "project": project_id,
        "overdue": overdue,
        "fresh": fresh,
        "soon": soon,
        "headers": {"X-Consistency-Token": token},
    }


async def ids(gql: OverHttp, queue: dict[str, Any], **filters: Any) -> list[str]:
    reply = await gql(
        QUEUE,
        {"filter": {"projectId": queue["project"], **filters}},
        role=Role.VIEWER,
        headers=queue["headers"],
    )
    found = reply.data["enterpriseRequests"]
    assert found["totalCount"] == len(found["nodes"])
    return [node["id"] for node in found["nodes"]]


async def test_a_departments_queue_lists_what_is_referred_to_it_most_urgent_first(
    gql: OverHttp, queue: dict[str, Any]
) -> None:
    assert await ids(gql, queue, department=FIRE) == [queue["overdue"], queue["soon"]]
    assert await ids(gql, queue, department=HOUSING) == [queue["overdue"]]
    assert await ids(gql, queue, department="区税务局") == []


async def test_the_queue_filters_by_overdue_due_soon_status_and_category(
    gql: OverHttp, queue: dict[str, Any]
) -> None:
    assert await ids(gql, queue, overdue=True) == [queue["overdue"]]
    assert set(await ids(gql, queue, overdue=False)) == {queue["fresh"], queue["soon"]}
    assert await ids(gql, queue, dueSoon=True) == [queue["soon"]]
    assert await ids(gql, queue, status="OPEN") == [queue["fresh"]]
    assert await ids(gql, queue, status="REFERRED", department=FIRE) == [
        queue["overdue"],
        queue["soon"],
    ]
    assert await ids(gql, queue, category="LAND") == [queue["fresh"]]


async def test_the_queue_filters_by_source_posting_enterprise_and_district(
    gql: OverHttp, queue: dict[str, Any]
) -> None:
    assert len(await ids(gql, queue, source="PROJECT")) == 3
    assert await ids(gql, queue, source="POSTING") == []
    assert await ids(gql, queue, postingId=str(uuid.uuid4())) == []
    assert len(await ids(gql, queue, district="黄埔区")) == 3
    assert await ids(gql, queue, district="天河区") == []


async def test_a_queue_can_be_sorted_by_the_day_received_newest_first(
    gql: OverHttp, queue: dict[str, Any]
) -> None:
    reply = await gql(
        QUEUE,
        {
            "filter": {"projectId": queue["project"]},
            "orderBy": {"field": "RECEIVED_ON", "direction": "DESC"},
        },
        headers=queue["headers"],
    )
    nodes = reply.data["enterpriseRequests"]["nodes"]
    assert [n["id"] for n in nodes] == [queue["fresh"], queue["soon"], queue["overdue"]]


async def test_one_request_carries_its_project_and_calendar(
    gql: OverHttp, queue: dict[str, Any]
) -> None:
    reply = await gql(ONE, {"id": queue["overdue"]}, headers=queue["headers"])
    request = reply.data["enterpriseRequest"]
    assert request["project"] == {"id": queue["project"]}
    assert request["leadDepartments"] == [HOUSING, FIRE]
    assert request["status"] == "REFERRED"
    assert request["source"] == "PROJECT"
    assert request["calendarSource"] in ("LIBRARY", "WEEKENDS_ONLY")
    missing = await gql(ONE, {"id": str(uuid.uuid4())})
    assert missing.data["enterpriseRequest"] is None


async def test_an_officer_of_a_referred_department_resolves_from_the_queue_and_others_may_not(
    client: httpx.AsyncClient, api: Api, gql: OverHttp, queue: dict[str, Any]
) -> None:
    officer_id = (await support.officer(gql))["officer"]["id"]  # registered and active

    async def as_department(dept: str, request_id: str) -> Any:
        token = issue_token(api.secret, sub=officer_id, role=Role.OFFICER, name="科员", dept=dept)
        fields = {"requestId": request_id, "projectId": queue["project"], "resolution": "已办结"}
        response = await client.post(
            "/graphql",
            json={"query": RESOLVE, "variables": {"input": fields}},
            headers={"Authorization": f"Bearer {token}"},
        )
        return response.json()

    refused = await as_department(HOUSING, queue["soon"])
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    resolved = await as_department(FIRE, queue["soon"])
    assert "errors" not in resolved, resolved
    token = resolved["data"]["resolveRequest"]["consistencyToken"]
    after = await gql(
        QUEUE,
        {"filter": {"projectId": queue["project"], "department": FIRE, "status": "RESOLVED"}},
        headers={"X-Consistency-Token": token},
    )
    [node] = after.data["enterpriseRequests"]["nodes"]
    assert (node["id"], node["dueSoon"], node["overdue"]) == (queue["soon"], False, False)


async def test_the_dashboard_counts_a_departments_open_and_overdue_requests(
    gql: OverHttp, queue: dict[str, Any]
) -> None:
    department = f"区数据局-{uuid.uuid4().hex[:6]}"
    fields = {"projectId": queue["project"], "requestId": queue["overdue"]}
    referred = await gql(REFER, {"input": {**fields, "departments": [department]}})
    token = referred.data["referRequest"]["consistencyToken"]
    reply = await gql(
        """{ dashboard { onTimeResolutionRate averageSatisfaction
                         requestsByDepartment { department open overdue } } }""",
        role=Role.VIEWER,
        headers={"X-Consistency-Token": token},
    )
    figures = reply.data["dashboard"]
    assert {"department": department, "open": 1, "overdue": 1} in figures["requestsByDepartment"]
    rate = figures["onTimeResolutionRate"]
    assert rate is None or 0 <= rate <= 1
