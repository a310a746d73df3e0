"""What the GraphQL layer never sees answers like everything else: a coded GraphQL error
with the correlation id, never a bare 500 or a plain-text 400 (issue 12, faults 1–3, 11, 12)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest

from cso.services.identity import Role
from tests.e2e.conftest import Api
from tests.integration.graphql import support

JSON = {"content-type": "application/json"}
ESTABLISH = """mutation($input: EstablishChainInput!) {
  establishChain(input: $input) { consistencyToken } }"""


def assert_coded(response: httpx.Response, status: int, code: str = "INVALID_INPUT") -> Any:
    assert response.status_code == status, response.text
    body = response.json()
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code
    assert error["extensions"]["correlationId"] == response.headers["x-correlation-id"]
    return error


@pytest.mark.parametrize(
    "body",
    [
        b"null",
        b"5",
        b'"a string"',
        b"true",
        b"\xff\xfe\x00{",  # not UTF-8
        b'{"query": "{ __typename }", "x": "\xc3\x28"}',  # an invalid UTF-8 sequence inside
        b"[" * 100_000,  # deeper than the decoder goes
        b"[]",
        b"{",
        b'{"query": 5}',
        b'{"query": "{ __typename }", "variables": []}',
        b'{"query": "{ __typename }", "operationName": 5}',
        b'{"query": "{ __typename }", "extensions": "x"}',
    ],
)
async def test_a_body_that_is_not_a_graphql_request_is_invalid_input_with_a_correlation_id(
    client: httpx.AsyncClient, body: bytes
) -> None:
    assert_coded(await client.post("/graphql", content=body, headers=JSON), 400)


async def test_the_server_keeps_serving_after_hostile_bodies(client: httpx.AsyncClient) -> None:
    for body in (b"null", b"\xff", b"[" * 10_000):
        await client.post("/graphql", content=body, headers=JSON)
    response = await client.post("/graphql", json={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("role", [None, Role.SUPERVISOR])
@pytest.mark.parametrize(
    "query",
    [
        "query { ...Nope }",
        "mutation { ...Nope }",
        "query { me { ...Nope } }",
        "query { ...A } fragment A on Query { me { ...Nope } }",
        "{}",
        "{ me {} }",
        "query { ...F } fragment F on Query {}",
    ],
)
async def test_an_unknown_fragment_or_empty_selection_is_invalid_with_or_without_a_token(
    client: httpx.AsyncClient, api: Api, role: Role | None, query: str
) -> None:
    response = await client.post("/graphql", json={"query": query}, headers=api.headers(role))
    codes = {e["extensions"]["code"] for e in response.json()["errors"]}
    assert codes <= {"INVALID_INPUT", "UNAUTHENTICATED"}, response.text
    if role is not None:
        assert "Unknown fragment" in response.text or "cannot be empty" in response.text


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_a_subscription_over_http_is_refused_with_a_code_naming_websocket(
    client: httpx.AsyncClient, api: Api, method: str
) -> None:
    query = "subscription { eventAppended { type } }"
    headers = api.headers(Role.SUPERVISOR)
    if method == "POST":
        response = await client.post("/graphql", json={"query": query}, headers=headers)
    else:
        response = await client.get("/graphql", params={"query": query}, headers=headers)
    error = assert_coded(response, 400)
    assert "WebSocket" in error["message"]


async def test_a_mutation_over_get_is_refused_with_a_code(
    client: httpx.AsyncClient, api: Api
) -> None:
    query = 'mutation { registerChain(input: {name: "x"}) { consistencyToken } }'
    response = await client.get("/graphql", params={"query": query}, headers=api.headers())
    assert_coded(response, 400)


async def test_options_advertises_only_the_methods_that_work(client: httpx.AsyncClient) -> None:
    allowed = (await client.options("/graphql")).headers["allow"]
    methods = {m.strip() for m in allowed.split(",")}
    assert methods == {"GET", "POST", "OPTIONS"}
    for method in ("HEAD", "PUT", "DELETE", "PATCH"):
        response = await client.request(method, "/graphql")
        assert response.status_code == 405
        assert response.headers["allow"] == allowed
        if method != "HEAD":  # a HEAD answer has no body
            assert_coded(response, 405)


async def test_an_error_never_repeats_a_whole_huge_value(
    client: httpx.AsyncClient, api: Api
) -> None:
    huge = "x" * 900_000
    queries: list[tuple[str, dict[str, Any]]] = [
        ("query($id: ID!) { project(id: $id) { id } }", {"id": huge}),
        ("query($n: Int) { projects(first: $n) { totalCount } }", {"n": huge}),
        ("query { __typename }", {}),
    ]
    for query, variables in queries:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables, "operationName": huge},
            headers=api.headers(Role.SUPERVISOR),
        )
        assert len(response.content) < 2_000, response.text[:300]
        assert response.json()["errors"]
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=api.headers()
        )
        assert len(response.content) < 2_000, response.text[:300]


async def test_a_token_whose_name_holds_a_lone_surrogate_is_unauthenticated(
    client: httpx.AsyncClient, api: Api
) -> None:
    now = int(time.time())
    claims = {"sub": support.SUPERVISOR_ID, "role": "supervisor", "iat": now, "exp": now + 600}
    chain = {"name": support.unique("链"), "leader": "区长", "leadDepartment": "区工信局"}
    valid = jwt.encode({**claims, "name": "Tester"}, api.secret, algorithm="HS256")
    response = await client.post(
        "/graphql",
        json={"query": ESTABLISH, "variables": {"input": chain}},
        headers={"Authorization": f"Bearer {valid}"},
    )
    assert "errors" not in response.json(), response.text  # the same request, a fine name
    for name, value in (("name", "\ud800"), ("dept", "a\x00b"), ("name", ["x"])):
        token = jwt.encode({**claims, name: value}, api.secret, algorithm="HS256")
        response = await client.post(
            "/graphql",
            json={"query": ESTABLISH, "variables": {"input": chain}},
            headers={"Authorization": f"Bearer {token}"},
        )
        (error,) = response.json()["errors"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED", response.text
