"""raiseRequest's due dates over HTTP: working days, holidays, make-up days, the calendar used."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from cso.services.identity import Role
from tests.e2e.conftest import Api
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

RAISE = """mutation($input: RaiseRequestInput!) {
  raiseRequest(input: $input) { requestId project {
    requests { id receivedOn raisedOn dueOn calendarSource } } } }"""

REQUESTS = """query($id: ID!) { project(id: $id) {
  requests { id receivedOn dueOn calendarSource } } }"""

SET_CALENDAR = """mutation($input: SetWorkingCalendarInput!) {
  setWorkingCalendar(input: $input) { calendar { source version } } }"""


@pytest.fixture
def gql(client: httpx.AsyncClient, api: Api) -> OverHttp:
    return OverHttp(client, api.secret)


async def project_signed_on(gql: OverHttp, signed_on: str) -> str:
    project_id: str = (await support.project(gql, signedOn=signed_on))["project"]["id"]
    return project_id


async def raise_request(
    gql: OverHttp, project_id: str, category: str, received_on: str | None
) -> Any:
    fields = {"projectId": project_id, "category": category, "description": "施工许可加急"}
    if received_on is not None:
        fields["receivedOn"] = received_on
    return await gql(RAISE, {"input": fields})


def raised(reply: Any) -> dict[str, Any]:
    payload = reply.data["raiseRequest"]
    [request] = [r for r in payload["project"]["requests"] if r["id"] == payload["requestId"]]
    found: dict[str, Any] = request
    return found


async def test_a_permit_received_the_wednesday_before_golden_week_is_due_after_it(
    gql: OverHttp,
) -> None:
    project_id = await project_signed_on(gql, "2026-01-05")
    request = raised(await raise_request(gql, project_id, "PERMIT", "2026-09-30"))
    # Holiday Thu 1 – Wed 7 October 2026; Thu 8, Fri 9, Sat 10 (make-up), Mon 12, Tue 13.
    assert request["receivedOn"] == request["raisedOn"] == "2026-09-30"
    assert request["dueOn"] == "2026-10-13"
    assert request["calendarSource"] == "LIBRARY"


async def test_an_official_schedule_counts_for_later_requests_and_earlier_due_dates_stay(
    gql: OverHttp,
) -> None:
    # 2023 (the library's): Dragon Boat Thu 22 – Sat 24 June, Sunday 25 worked.
    project_id = await project_signed_on(gql, "2023-01-03")
    before = raised(await raise_request(gql, project_id, "PERMIT", "2023-06-16"))
    assert (before["dueOn"], before["calendarSource"]) == ("2023-06-26", "LIBRARY")

    recorded = await gql(SET_CALENDAR, {"input": {"year": 2023, "holidays": [], "workdays": []}})
    assert recorded.data["setWorkingCalendar"]["calendar"]["source"] == "OFFICIAL"

    after = raised(await raise_request(gql, project_id, "PERMIT", "2023-06-16"))
    assert (after["dueOn"], after["calendarSource"]) == ("2023-06-23", "OFFICIAL")
    requests = (await gql(REQUESTS, {"id": project_id})).data["project"]["requests"]
    by_id = {r["id"]: r for r in requests}
    assert (by_id[before["id"]]["dueOn"], by_id[before["id"]]["calendarSource"]) == (
        "2023-06-26",
        "LIBRARY",
    )


async def test_a_request_without_a_received_day_is_received_today(gql: OverHttp) -> None:
    project_id, officer_id = await support.project_with_cso(gql)
    reply = await gql(
        RAISE,
        {"input": {"projectId": project_id, "category": "LAND", "description": "用地指标"}},
        role=Role.OFFICER,
        sub=officer_id,
    )
    request = raised(reply)
    received = date.fromisoformat(request["receivedOn"])
    assert abs(received - date.today()) <= timedelta(days=1)  # the district's today
    assert date.fromisoformat(request["dueOn"]) >= received + timedelta(days=10)
    assert request["calendarSource"] in ("OFFICIAL", "LIBRARY", "WEEKENDS_ONLY")


async def test_a_request_received_in_the_future_is_refused(gql: OverHttp) -> None:
    project_id = await project_signed_on(gql, "2026-01-05")
    later = (date.today() + timedelta(days=2)).isoformat()  # past any time zone's today
    reply = await raise_request(gql, project_id, "PERMIT", later)
    assert reply.code == "RULE_VIOLATED"
    assert "future" in reply.error["message"]


async def test_a_request_received_before_the_project_was_signed_is_refused(gql: OverHttp) -> None:
    project_id = await project_signed_on(gql, "2026-01-05")
    reply = await raise_request(gql, project_id, "PERMIT", "2026-01-02")
    assert reply.code == "RULE_VIOLATED"
    assert "signed" in reply.error["message"]
    requests = (await gql(REQUESTS, {"id": project_id})).data["project"]["requests"]
    assert requests == []


async def test_an_officer_who_is_not_the_cso_cannot_raise_a_request(gql: OverHttp) -> None:
    project_id, _ = await support.project_with_cso(gql)
    other = (await support.officer(gql))["officer"]["id"]
    reply = await gql(
        RAISE,
        {"input": {"projectId": project_id, "category": "LAND", "description": "用地指标"}},
        role=Role.OFFICER,
        sub=other,
    )
    assert reply.code == "FORBIDDEN"
