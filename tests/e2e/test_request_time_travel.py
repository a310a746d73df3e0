"""enterpriseRequest(id, asOf, version) over HTTP: a request replayed from its own events."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Api
from tests.e2e.test_request_returns import FIRE, HOUSING, as_officer, referred  # noqa: F401
from tests.integration.graphql.support import OverHttp

EXTEND = """mutation($input: ExtendRequestDeadlineInput!) {
  extendRequestDeadline(input: $input) { consistencyToken } }"""
AT = """query($id: ID!, $version: Int, $asOf: DateTime) {
  enterpriseRequest(id: $id, version: $version, asOf: $asOf) {
    id version createdAt updatedAt status departments leadDepartment joint dueOn source
    returns { department reason } extensions { workingDays reason actor { name } }
    project { id } enterprise { id } history { version type } } }"""
PROJECT_REQUESTS = """query($id: ID!, $version: Int) {
  project(id: $id, version: $version) { hasOverdueRequests requests { id status version } } }"""


@pytest.fixture
def gql(client: httpx.AsyncClient, api: Api) -> OverHttp:
    return OverHttp(client, api.secret)


@pytest.fixture
async def lived(
    gql: OverHttp,
    client: httpx.AsyncClient,
    api: Api,
    referred: dict[str, str],  # noqa: F811
) -> dict[str, Any]:
    """Raised (1), referred to two departments (2), returned by one (3), extended (4)."""
    fields = {"requestId": referred["request"], "reason": "非本单位职责"}
    await as_officer(client, api, referred["officer"], FIRE, fields)
    extend = {"requestId": referred["request"], "workingDays": 3, "reason": "等待测绘"}
    token = (await gql(EXTEND, {"input": extend})).data["extendRequestDeadline"]
    return {**referred, "token": token["consistencyToken"]}


async def at(gql: OverHttp, request_id: str, **when: Any) -> Any:
    return await gql(AT, {"id": request_id, **when})


async def test_a_request_replayed_to_each_version_shows_its_returns_and_extensions_then(
    gql: OverHttp, lived: dict[str, Any]
) -> None:
    referred_then = (await at(gql, lived["request"], version=2)).data["enterpriseRequest"]
    assert (referred_then["status"], referred_then["departments"]) == ("REFERRED", [FIRE, HOUSING])
    assert (referred_then["leadDepartment"], referred_then["joint"]) == (FIRE, True)
    assert (referred_then["returns"], referred_then["extensions"]) == ([], [])
    assert [e["version"] for e in referred_then["history"]] == [1, 2]
    returned = (await at(gql, lived["request"], version=3)).data["enterpriseRequest"]
    assert returned["status"] == "OPEN"
    assert returned["returns"] == [{"department": FIRE, "reason": "非本单位职责"}]
    assert returned["extensions"] == []
    now = (await at(gql, lived["request"], version=4)).data["enterpriseRequest"]
    assert now["extensions"] == [
        {"workingDays": 3, "reason": "等待测绘", "actor": {"name": "Tester"}}
    ]
    assert now["dueOn"] > returned["dueOn"]
    assert (now["project"]["id"], now["source"]) == (lived["project"], "PROJECT")
    assert now["enterprise"]["id"]


async def test_a_replay_agrees_with_the_read_model_at_the_latest_version(
    gql: OverHttp, lived: dict[str, Any]
) -> None:
    replayed = (await at(gql, lived["request"], version=4)).data["enterpriseRequest"]
    current = await gql(
        AT, {"id": lived["request"]}, headers={"X-Consistency-Token": lived["token"]}
    )
    assert current.data["enterpriseRequest"] == replayed


async def test_a_version_beyond_the_latest_is_not_found(
    gql: OverHttp, lived: dict[str, Any]
) -> None:
    reply = await at(gql, lived["request"], version=5)
    assert reply.code == "NOT_FOUND"
    assert (await at(gql, lived["request"], version=0)).code == "INVALID_INPUT"


async def test_before_it_was_raised_there_is_no_request(
    gql: OverHttp, lived: dict[str, Any]
) -> None:
    reply = await at(gql, lived["request"], asOf="2001-01-01T00:00:00Z")
    assert reply.data["enterpriseRequest"] is None


async def test_a_replayed_project_lists_its_requests_as_they_were(
    gql: OverHttp, lived: dict[str, Any]
) -> None:
    reply = await gql(PROJECT_REQUESTS, {"id": lived["project"], "version": 1})
    assert reply.data["project"]["requests"] == []  # registered, nothing raised yet
    assert reply.data["project"]["hasOverdueRequests"] is False
    # Its latest version was written when the request was raised: the request as it was then.
    latest = await gql(PROJECT_REQUESTS, {"id": lived["project"], "version": 2})
    assert latest.data["project"]["requests"] == [
        {"id": lived["request"], "status": "OPEN", "version": 1}
    ]
    current = await gql(
        PROJECT_REQUESTS, {"id": lived["project"]}, headers={"X-Consistency-Token": lived["token"]}
    )
    assert current.data["project"]["requests"] == [
        {"id": lived["request"], "status": "OPEN", "version": 4}
    ]
