"""The audit queries cover every stream type: housing units and applications, requests,
postings, working calendars and the personal-data access log; an erased subject's stream
still verifies and says it was erased."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from cso.services.identity import Role
from tests.e2e import postings_support, test_housing
from tests.e2e.test_officer_phones import ERASE as ERASE_OFFICER
from tests.e2e.test_personal_data import ERASE as ERASE_APPLICANT
from tests.e2e.test_request_returns import referred  # noqa: F401
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

HISTORY = """query($id: ID!) {
  streamHistory(streamId: $id) { streamId streamType version correlationId hash } }"""
LOG = """query($filter: AuditFilter) {
  auditLog(first: 100, filter: $filter) { totalCount edges { node { streamId version } } } }"""
BY_CORRELATION = """query($c: String!) {
  eventsByCorrelation(correlationId: $c) { streamId streamType version } }"""
VERIFY = """query($id: ID!) {
  verifyStream(streamId: $id) { ok eventsChecked firstBadVersion personalDataErased } }"""
SET_CALENDAR = """mutation($input: SetWorkingCalendarInput!) {
  setWorkingCalendar(input: $input) { calendar { year } } }"""
READ_APPLICATION = """query($id: ID!) { housingApplication(id: $id) { idNumber } }"""


async def _unit(gql: OverHttp) -> str:
    return await test_housing.unit(gql)


async def _application(gql: OverHttp) -> str:
    return (await test_housing.submitted(gql))[0]


async def _posting(gql: OverHttp) -> str:
    found: str = (await postings_support.posting(gql))["id"]
    return found


async def _calendar(gql: OverHttp) -> str:
    fields = {"year": 2049, "holidays": ["2049-10-01"], "workdays": []}
    await gql(SET_CALENDAR, {"input": fields})
    found = await gql(LOG, {"filter": {"streamType": "WorkingCalendar"}}, role=Role.AUDITOR)
    stream_id: str = found.data["auditLog"]["edges"][-1]["node"]["streamId"]
    return stream_id


async def _access(gql: OverHttp) -> str:
    application_id, caso = await test_housing.submitted(gql)
    await gql(READ_APPLICATION, {"id": application_id}, role=Role.OFFICER, sub=caso)
    for _ in range(100):  # the access is appended as the read answers; find its stream
        found = await gql(LOG, {"filter": {"streamType": "PersonalDataAccess"}}, role=Role.AUDITOR)
        edges = found.data["auditLog"]["edges"]
        if edges:
            stream_id: str = edges[-1]["node"]["streamId"]
            return stream_id
        await asyncio.sleep(0.05)
    raise AssertionError("no access was logged")


KINDS: dict[str, Callable[[OverHttp], Awaitable[str]]] = {
    "HousingUnit": _unit,
    "HousingApplication": _application,
    "SecretaryPosting": _posting,
    "WorkingCalendar": _calendar,
    "PersonalDataAccess": _access,
}


async def assert_audited(gql: OverHttp, stream_id: str, stream_type: str) -> None:
    history = (await gql(HISTORY, {"id": stream_id}, role=Role.AUDITOR)).data["streamHistory"]
    assert history and {e["streamType"] for e in history} == {stream_type}
    assert [e["version"] for e in history] == list(range(1, len(history) + 1))
    log = await gql(
        LOG, {"filter": {"streamId": stream_id, "streamType": stream_type}}, role=Role.AUDITOR
    )
    assert log.data["auditLog"]["totalCount"] == len(history)
    correlated = await gql(BY_CORRELATION, {"c": history[0]["correlationId"]}, role=Role.AUDITOR)
    assert {"streamId": stream_id, "streamType": stream_type, "version": 1} in correlated.data[
        "eventsByCorrelation"
    ]
    verified = await gql(VERIFY, {"id": stream_id}, role=Role.AUDITOR)
    assert verified.data["verifyStream"] == {
        "ok": True,
        "eventsChecked": len(history),
        "firstBadVersion": None,
        "personalDataErased": False,
    }


@pytest.mark.parametrize("stream_type", sorted(KINDS))
async def test_every_audit_query_covers_the_stream_type(gql: OverHttp, stream_type: str) -> None:
    stream_id = await KINDS[stream_type](gql)
    await assert_audited(gql, stream_id, stream_type)


async def test_every_audit_query_covers_enterprise_requests(
    gql: OverHttp,
    referred: dict[str, str],  # noqa: F811
) -> None:
    await assert_audited(gql, referred["request"], "EnterpriseRequest")


@pytest.mark.parametrize("who", ["applicant", "officer"])
async def test_an_erased_subjects_stream_still_verifies_and_says_it_was_erased(
    gql: OverHttp, who: str
) -> None:
    if who == "applicant":
        stream_id = await _application(gql)
        reply = await gql(ERASE_APPLICANT, {"input": {"applicationId": stream_id}})
    else:
        stream_id = (await support.officer(gql))["officer"]["id"]
        reply = await gql(ERASE_OFFICER, {"input": {"officerId": stream_id}})
    assert reply.data
    verified = await gql(VERIFY, {"id": stream_id}, role=Role.AUDITOR)
    found: dict[str, Any] = verified.data["verifyStream"]
    assert found["ok"] is True and found["firstBadVersion"] is None
    assert found["personalDataErased"] is True
    history = (await gql(HISTORY, {"id": stream_id}, role=Role.AUDITOR)).data["streamHistory"]
    assert found["eventsChecked"] == len(history)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OFFICER])
async def test_viewers_and_officers_are_refused_every_stream_types_history(
    gql: OverHttp, role: Role
) -> None:
    stream_id = await _unit(gql)
    reply = await gql(HISTORY, {"id": stream_id}, role=role)
    assert reply.code == "FORBIDDEN"
