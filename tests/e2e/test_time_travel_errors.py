"""Time travel's errors on every aggregate type: a version beyond the latest is NOT_FOUND, a
version below 1 is INVALID_INPUT, a moment before the object existed is null; streamHistory
refuses ranges that cannot hold."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from cso.services.identity import Role
from tests.e2e import postings_support, test_housing
from tests.e2e.test_request_returns import referred  # noqa: F401
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

LONG_AGO = "2001-01-01T00:00:00+08:00"


async def _officer(gql: OverHttp) -> str:
    found: str = (await support.officer(gql))["officer"]["id"]
    return found


async def _enterprise(gql: OverHttp) -> str:
    found: str = (await support.enterprise(gql))["enterprise"]["id"]
    return found


async def _chain(gql: OverHttp) -> str:
    found: str = (await support.chain(gql))["chain"]["id"]
    return found


async def _project(gql: OverHttp) -> str:
    return (await support.project_with_cso(gql))[0]


async def _unit(gql: OverHttp) -> str:
    return await test_housing.unit(gql)


async def _application(gql: OverHttp) -> str:
    return (await test_housing.submitted(gql))[0]


async def _posting(gql: OverHttp) -> str:
    found: str = (await postings_support.posting(gql))["id"]
    return found


KINDS: dict[str, Callable[[OverHttp], Awaitable[str]]] = {
    "officer": _officer,
    "enterprise": _enterprise,
    "industryChain": _chain,
    "project": _project,
    "housingUnit": _unit,
    "housingApplication": _application,
    "secretaryPosting": _posting,
}


def at(field: str) -> str:
    return f"""query($id: ID!, $version: Int, $asOf: DateTime) {{
      {field}(id: $id, version: $version, asOf: $asOf) {{ id version }} }}"""


async def latest_version(gql: OverHttp, stream_id: str) -> int:
    history = await gql(
        "query($id: ID!) { streamHistory(streamId: $id) { version } }", {"id": stream_id}
    )
    return int(history.data["streamHistory"][-1]["version"])


async def assert_time_travel_errors(gql: OverHttp, field: str, object_id: str) -> None:
    latest = await latest_version(gql, object_id)
    query = at(field)
    first = await gql(query, {"id": object_id, "version": 1}, role=Role.VIEWER)
    assert first.data[field] == {"id": object_id, "version": 1}
    last = await gql(query, {"id": object_id, "version": latest}, role=Role.VIEWER)
    assert last.data[field]["version"] == latest
    beyond = await gql(query, {"id": object_id, "version": latest + 1}, role=Role.VIEWER)
    assert beyond.code == "NOT_FOUND"
    for bad in (0, -3):
        below = await gql(query, {"id": object_id, "version": bad}, role=Role.VIEWER)
        assert below.code == "INVALID_INPUT"
        assert below.error["extensions"]["field"] == "version"
    before = await gql(query, {"id": object_id, "asOf": LONG_AGO}, role=Role.VIEWER)
    assert before.data[field] is None


@pytest.mark.parametrize("field", sorted(KINDS))
async def test_every_aggregate_type_answers_time_travel_errors_as_api_md_gives_them(
    gql: OverHttp, field: str
) -> None:
    object_id = await KINDS[field](gql)
    await assert_time_travel_errors(gql, field, object_id)


async def test_an_enterprise_request_answers_the_same_time_travel_errors(
    gql: OverHttp,
    referred: dict[str, str],  # noqa: F811
) -> None:
    await assert_time_travel_errors(gql, "enterpriseRequest", referred["request"])


CALENDAR = """query($year: Int!, $version: Int, $asOf: DateTime) {
  workingCalendar(year: $year, version: $version, asOf: $asOf) { source holidays version } }"""
SET_CALENDAR = """mutation($input: SetWorkingCalendarInput!) {
  setWorkingCalendar(input: $input) { consistencyToken } }"""


async def test_a_working_calendar_travels_in_time_and_refuses_versions_it_never_had(
    gql: OverHttp,
) -> None:
    year = 2047
    for holidays in (["2047-10-01"], ["2047-10-01", "2047-10-02"]):
        fields = {"year": year, "holidays": holidays, "workdays": []}
        await gql(SET_CALENDAR, {"input": fields})
    first = await gql(CALENDAR, {"year": year, "version": 1}, role=Role.VIEWER)
    assert first.data["workingCalendar"] == {
        "source": "OFFICIAL",
        "holidays": ["2047-10-01"],
        "version": "official r1",
    }
    before = await gql(CALENDAR, {"year": year, "asOf": LONG_AGO}, role=Role.VIEWER)
    assert before.data["workingCalendar"]["source"] != "OFFICIAL"
    beyond = await gql(CALENDAR, {"year": year, "version": 10_000}, role=Role.VIEWER)
    assert beyond.code == "NOT_FOUND"
    below = await gql(CALENDAR, {"year": year, "version": 0}, role=Role.VIEWER)
    assert below.code == "INVALID_INPUT"


STREAM = """query($id: ID!, $from: Int, $to: Int) {
  streamHistory(streamId: $id, fromVersion: $from, toVersion: $to) { version } }"""


@pytest.mark.parametrize(
    ("bounds", "field"),
    [
        ({"from": 5, "to": 3}, "fromVersion"),
        ({"from": -1}, "fromVersion"),
        ({"from": 0, "to": 2}, "fromVersion"),
        ({"to": -2}, "toVersion"),
    ],
)
async def test_a_stream_history_range_that_cannot_hold_is_invalid_input(
    gql: OverHttp, bounds: dict[str, int], field: str
) -> None:
    project_id = await _project(gql)
    reply = await gql(STREAM, {"id": project_id, **bounds}, role=Role.AUDITOR)
    assert reply.code == "INVALID_INPUT"
    assert reply.error["extensions"]["field"] == field
