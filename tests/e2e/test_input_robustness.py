"""Input a client should not send, and what it gets back: INVALID_INPUT naming the argument,
or 413 for a body too large to read, never INTERNAL."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from cso.graphql.auth import Role
from cso.limits import DRAIN_BYTES, MAX_BODY_BYTES, BodySizeLimit
from tests.e2e.conftest import Api
from tests.integration.graphql.support import OverHttp

NUL = "黄埔\x00区"

# (query, variables, the field the error names), each with a NUL where SQL would compare it.
NUL_FILTERS = {
    "projects.search": (
        "query($v: String) { projects(filter: {search: $v}) { totalCount } }",
        "search",
    ),
    "projects.district": (
        "query($v: String) { projects(filter: {district: $v}) { totalCount } }",
        "district",
    ),
    "enterprises.district": (
        "query($v: String) { enterprises(filter: {district: $v}) { totalCount } }",
        "district",
    ),
    "enterprises.search": (
        "query($v: String) { enterprises(filter: {search: $v}) { totalCount } }",
        "search",
    ),
    "officers.department": (
        "query($v: String) { officers(filter: {department: $v}) { totalCount } }",
        "department",
    ),
    "auditLog.actorId": (
        "query($v: String) { auditLog(filter: {actorId: $v}) { totalCount } }",
        "actorId",
    ),
    "auditLog.streamType": (
        "query($v: String) { auditLog(filter: {streamType: $v}) { totalCount } }",
        "streamType",
    ),
    "auditLog.type": (
        "query($v: String) { auditLog(filter: {type: $v}) { totalCount } }",
        "type",
    ),
    "eventsByCorrelation": (
        "query($v: String!) { eventsByCorrelation(correlationId: $v) { position } }",
        "correlationId",
    ),
}


def forged_cursor(*values: object) -> str:
    """A cursor as a client could make one up (JSON with \\u escapes, then base64)."""
    raw = json.dumps(list(values)).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def error_of(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("errors"), body
    extensions: dict[str, Any] = body["errors"][0]["extensions"]
    return extensions


@pytest.mark.parametrize("name", NUL_FILTERS)
async def test_a_nul_in_a_text_filter_is_invalid_input_on_that_filter(
    gql: OverHttp, name: str
) -> None:
    query, field = NUL_FILTERS[name]
    reply = await gql(query, {"v": NUL})
    assert error_of(reply.body) == {"code": "INVALID_INPUT", "field": field}


async def test_a_lone_surrogate_in_a_search_is_invalid_input_on_search(
    client: httpx.AsyncClient, api: Api
) -> None:
    # JSON may spell a lone surrogate (\ud800); it has no UTF-8 form, so SQL cannot take it.
    body = {
        "query": "query($v: String) { projects(filter: {search: $v}) { totalCount } }",
        "variables": {"v": "\ud800"},
    }
    response = await client.post(
        "/graphql",
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **api.headers(Role.VIEWER)},
    )
    assert error_of(response.json()) == {"code": "INVALID_INPUT", "field": "search"}


async def test_a_nul_in_a_name_cursor_is_invalid_input_on_after(gql: OverHttp) -> None:
    query = """query($after: String) {
      officers(after: $after, orderBy: {field: NAME}) { totalCount } }"""
    cursor = forged_cursor("officers:NAME:ASC", NUL, "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11")
    reply = await gql(query, {"after": cursor})
    assert error_of(reply.body) == {"code": "INVALID_INPUT", "field": "after"}


async def test_an_investment_cursor_too_wide_for_the_database_is_invalid_input_on_after(
    gql: OverHttp,
) -> None:
    query = """query($after: String) {
      projects(after: $after, orderBy: {field: INVESTMENT}) { totalCount } }"""
    cursor = forged_cursor(
        "projects:INVESTMENT:ASC", "1e999999", "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11"
    )
    reply = await gql(query, {"after": cursor})
    assert error_of(reply.body) == {"code": "INVALID_INPUT", "field": "after"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (
            'query($t: DateTime) { project(id: "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11", '
            "asOf: $t) { id } }",
            "asOf",
        ),
        ("query($t: DateTime) { auditLog(filter: {from: $t}) { totalCount } }", "from"),
        ("query($t: DateTime) { auditLog(filter: {to: $t}) { totalCount } }", "to"),
    ],
)
async def test_a_moment_whose_utc_form_leaves_the_calendar_is_invalid_input_on_its_field(
    gql: OverHttp, query: str, field: str
) -> None:
    reply = await gql(query, {"t": "0001-01-01T00:00:00+05:00"})
    assert error_of(reply.body) == {"code": "INVALID_INPUT", "field": field}


async def test_a_body_over_the_limit_is_refused_with_413_and_a_json_error(
    client: httpx.AsyncClient, api: Api
) -> None:
    body = {
        "query": "query($v: String) { projects(filter: {search: $v}) { totalCount } }",
        "variables": {"v": "x" * (MAX_BODY_BYTES + 1)},
    }
    response = await client.post(
        "/graphql", json=body, headers={"X-Correlation-ID": "too-big-1", **api.headers(Role.VIEWER)}
    )
    assert response.status_code == 413
    assert error_of(response.json())["code"] == "INVALID_INPUT"
    assert response.headers["x-correlation-id"] == "too-big-1"
    assert error_of(response.json())["correlationId"] == "too-big-1"


async def test_a_chunked_body_over_the_limit_is_refused_with_413(
    client: httpx.AsyncClient, api: Api
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }", "pad": "'
        for _ in range(MAX_BODY_BYTES // 65536 + 1):
            yield b"x" * 65536
        yield b'"}'

    response = await client.post(
        "/graphql",
        content=chunks(),
        headers={"Content-Type": "application/json", **api.headers(Role.VIEWER)},
    )
    assert response.status_code == 413
    assert error_of(response.json())["code"] == "INVALID_INPUT"


async def test_a_body_within_the_limit_is_served(client: httpx.AsyncClient) -> None:
    padded = b'{"query": "{ __typename }"}' + b" " * (MAX_BODY_BYTES - 100)
    response = await client.post(
        "/graphql", content=padded, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_body_declaring_far_more_than_the_limit_is_refused_before_any_of_it_is_read() -> (
    None
):
    received: list[str] = []
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("the app is not reached")

    async def receive() -> Message:
        received.append("read")
        return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "headers": [(b"content-length", str(DRAIN_BYTES + 1).encode())]}
    await BodySizeLimit(app)(scope, receive, send)

    assert received == []
    assert sent[0]["status"] == 413
