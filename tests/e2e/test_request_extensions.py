"""extendRequestDeadline over HTTP: a supervisor moves a due date by working days."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from cso.domain.working_days import add_working_days
from cso.graphql.auth import issue_token
from cso.services.holiday_library import default_calendar
from cso.services.identity import Role
from tests.e2e.conftest import Api
from tests.e2e.test_enterprise_requests import district_today
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

RAISE = """mutation($input: RaiseRequestInput!) { raiseRequest(input: $input) { requestId } }"""
RESOLVE = """mutation($input: ResolveRequestInput!) {
  resolveRequest(input: $input) { consistencyToken } }"""
EXTEND = """mutation($input: ExtendRequestDeadlineInput!) { extendRequestDeadline(input: $input) {
  consistencyToken
  request { id dueOn overdue dueSoon
    extensions { workingDays reason at by { id } actor { id role name } } } } }"""
QUEUE = """query($filter: EnterpriseRequestFilter) {
  enterpriseRequests(first: 20, filter: $filter) { totalCount nodes { id } } }"""
HISTORY = """query($id: ID!) { streamHistory(streamId: $id) { type data } }"""


@pytest.fixture
def gql(client: httpx.AsyncClient, api: Api) -> OverHttp:
    return OverHttp(client, api.secret)


@pytest.fixture
async def overdue(gql: OverHttp) -> dict[str, Any]:
    """A permit request received 30 days ago on a new project: overdue today."""
    signed_on = district_today() - timedelta(days=40)
    project = await support.project(gql, signedOn=signed_on.isoformat())
    project_id = project["project"]["id"]
    received_on = district_today() - timedelta(days=30)
    fields = {
        "projectId": project_id,
        "category": "PERMIT",
        "description": "施工许可",
        "receivedOn": received_on.isoformat(),
    }
    raised = await gql(RAISE, {"input": fields})
    due_on = add_working_days(received_on, 5, default_calendar).on
    return {
        "project": project_id,
        "request": raised.data["raiseRequest"]["requestId"],
        "dueOn": due_on,
    }


async def test_a_supervisor_extends_a_due_date_by_working_days_and_overdue_follows(
    gql: OverHttp, overdue: dict[str, Any]
) -> None:
    fields = {"requestId": overdue["request"], "workingDays": 30, "reason": "需补充材料"}
    reply = await gql(EXTEND, {"input": fields})
    request = reply.data["extendRequestDeadline"]["request"]
    expected = add_working_days(overdue["dueOn"], 30, default_calendar).on
    assert date.fromisoformat(request["dueOn"]) == expected
    assert request["overdue"] is (district_today() > expected)
    assert not request["overdue"]
    [extension] = request["extensions"]
    assert (extension["workingDays"], extension["reason"]) == (30, "需补充材料")
    # The supervisor's token names no registered officer: `by` is null, `actor` names them.
    assert extension["by"] is None
    assert extension["actor"] == {
        "id": support.SUPERVISOR_ID,
        "role": "supervisor",
        "name": "Tester",
    }
    token = reply.data["extendRequestDeadline"]["consistencyToken"]
    still_overdue = await gql(
        QUEUE,
        {"filter": {"projectId": overdue["project"], "overdue": True}},
        headers={"X-Consistency-Token": token},
    )
    assert still_overdue.data["enterpriseRequests"]["totalCount"] == 0


async def test_the_new_due_date_and_its_calendar_are_recorded_in_the_event(
    gql: OverHttp, overdue: dict[str, Any]
) -> None:
    fields = {"requestId": overdue["request"], "workingDays": 2, "reason": "节假日顺延"}
    await gql(EXTEND, {"input": fields})
    history = (await gql(HISTORY, {"id": overdue["request"]})).data["streamHistory"]
    [event] = [e for e in history if e["type"] == "EnterpriseRequest.DeadlineExtended"]
    expected = add_working_days(overdue["dueOn"], 2, default_calendar)
    assert event["data"]["due_on"] == expected.on.isoformat()
    assert event["data"]["working_days"] == 2
    assert event["data"]["calendar_source"] == expected.calendar.source.value


async def test_an_extension_needs_a_reason_and_one_to_thirty_working_days(
    gql: OverHttp, overdue: dict[str, Any]
) -> None:
    no_reason = await gql(EXTEND, {"input": {"requestId": overdue["request"], "workingDays": 3}})
    assert (no_reason.code, no_reason.error["extensions"]["field"]) == ("INVALID_INPUT", "reason")
    for days in (0, 31):
        fields = {"requestId": overdue["request"], "workingDays": days, "reason": "顺延"}
        refused = await gql(EXTEND, {"input": fields})
        assert (refused.code, refused.error["extensions"]["field"]) == (
            "INVALID_INPUT",
            "workingDays",
        )


async def test_a_resolved_request_is_not_extended(gql: OverHttp, overdue: dict[str, Any]) -> None:
    resolve = {
        "projectId": overdue["project"],
        "requestId": overdue["request"],
        "resolution": "已办",
    }
    await gql(RESOLVE, {"input": resolve})
    fields = {"requestId": overdue["request"], "workingDays": 3, "reason": "顺延"}
    assert (await gql(EXTEND, {"input": fields})).code == "RULE_VIOLATED"


async def test_only_supervisors_extend_a_deadline(
    client: httpx.AsyncClient, api: Api, gql: OverHttp, overdue: dict[str, Any]
) -> None:
    fields = {"requestId": overdue["request"], "workingDays": 3, "reason": "顺延"}
    for role in (Role.OFFICER, Role.VIEWER, Role.AUDITOR):
        assert (await gql(EXTEND, {"input": fields}, role=role)).code == "FORBIDDEN"
    officer_id = (await support.officer(gql))["officer"]["id"]
    token = issue_token(
        api.secret, sub=officer_id, role=Role.OFFICER, name="科员", dept="区消防救援大队"
    )
    response = await client.post(
        "/graphql",
        json={"query": EXTEND, "variables": {"input": fields}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
