"""Each request limit from outside: just under it is served, just over it is refused with its
code, and the server goes on serving (README, "Configuration" and "Limits")."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
import pytest
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, aconnect_ws

from cso.graphql.cursors import MAX_PAGE_SIZE
from cso.graphql.schema import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS
from cso.graphql.ws_protocol import CLOSE_POLICY, CLOSE_TOO_BIG
from cso.limits import MAX_BODY_BYTES
from cso.services.identity import Role
from tests.e2e.conftest import Api, serving

TIMEOUT = 10
# The server of the tests that need small limits: an operation budget, a timeout, a rate.
MAX_OPERATIONS = 3
REQUEST_TIMEOUT = 1.0
MESSAGES_PER_SECOND = 5
# A consistency token far past the log: the query waits for it (2 s) before it answers.
FUTURE_TOKEN = base64.urlsafe_b64encode(b"999999999:999999999").decode().rstrip("=")
QUIET = 'subscription { eventAppended(streamTypes: ["NoSuchStream"]) { type } }'


@pytest.fixture(scope="module")
async def tight(database_url: str) -> AsyncIterator[Api]:
    """A server with a small operation budget and timeout."""
    async with serving(
        database_url,
        CSO_WS_MAX_OPERATIONS=str(MAX_OPERATIONS),
        CSO_REQUEST_TIMEOUT_SECONDS=str(REQUEST_TIMEOUT),
        CSO_RUN_PROJECTIONS="0",
    ) as running:
        yield running


@pytest.fixture(scope="module")
async def throttled(database_url: str) -> AsyncIterator[Api]:
    """A server that takes few WebSocket messages a second."""
    async with serving(
        database_url,
        CSO_WS_MESSAGES_PER_SECOND=str(MESSAGES_PER_SECOND),
        CSO_RUN_PROJECTIONS="0",
    ) as running:
        yield running


async def post(api: Api, body: bytes | dict[str, Any], **headers: str) -> httpx.Response:
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    sent = {"content-type": "application/json", **api.headers(Role.SUPERVISOR), **headers}
    async with httpx.AsyncClient(base_url=api.url, timeout=TIMEOUT) as client:
        return await client.post("/graphql", content=content, headers=sent)


async def still_serving(api: Api) -> None:
    response = await post(api, {"query": "{ me { role } }"})
    assert response.json() == {"data": {"me": {"role": "supervisor"}}}


def code_of(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


async def test_a_body_of_exactly_the_limit_is_served_and_one_byte_more_is_413(api: Api) -> None:
    query = b'{"query": "{ __typename }"}'
    served = await post(api, query + b" " * (MAX_BODY_BYTES - len(query)))
    assert served.json() == {"data": {"__typename": "Query"}}
    refused = await post(api, query + b" " * (MAX_BODY_BYTES - len(query) + 1))
    assert refused.status_code == 413
    assert code_of(refused) == "INVALID_INPUT"
    assert refused.json()["errors"][0]["extensions"]["maxBytes"] == MAX_BODY_BYTES
    await still_serving(api)


def deep(depth: int) -> str:
    """A query whose deepest field is `depth` levels below its root field."""
    selection = "id"
    for level in reversed(range(depth - 1)):
        selection = f"{'activePosting' if level % 2 == 0 else 'officer'} {{ {selection} }}"
    return f'query last {{ officer(id: "00000000-0000-4000-8000-000000000001") {{ {selection} }} }}'


def aliased(count: int) -> str:
    return "query last { " + " ".join(f"a{i}: __typename" for i in range(count)) + " }"


def tokens(count: int) -> str:
    """A document of exactly `count` tokens (at least 5): operations of 5 tokens each
    (`query qN { __typename }`), the last with as many more fields as remain."""
    whole, rest = divmod(count, 5)
    operations = [f"query q{i} {{ __typename }}" for i in range(whole - 1)]
    return " ".join([*operations, "query last {" + " __typename" * (1 + rest) + " }"])


@pytest.mark.parametrize(
    ("limit", "document", "code"),
    [
        (MAX_DEPTH, deep, "INVALID_INPUT"),
        (MAX_ALIASES, aliased, "INVALID_INPUT"),
        (MAX_TOKENS, tokens, "INVALID_INPUT"),
    ],
    ids=["depth", "aliases", "tokens"],
)
async def test_a_document_at_its_limit_is_served_and_one_past_it_is_refused(
    api: Api, limit: int, document: Any, code: str
) -> None:
    at = await post(api, {"query": document(limit), "operationName": "last"})
    assert "errors" not in at.json(), at.json()
    over = await post(api, {"query": document(limit + 1), "operationName": "last"})
    assert over.status_code == 200
    assert code_of(over) == code
    await still_serving(api)


async def test_a_page_of_the_largest_size_is_served_and_one_more_item_is_invalid_input(
    api: Api,
) -> None:
    page = "query($first: Int) { officers(first: $first) { totalCount } }"
    served = await post(api, {"query": page, "variables": {"first": MAX_PAGE_SIZE}})
    assert "errors" not in served.json()
    refused = await post(api, {"query": page, "variables": {"first": MAX_PAGE_SIZE + 1}})
    assert code_of(refused) == "INVALID_INPUT"
    assert refused.json()["errors"][0]["extensions"]["field"] == "first"
    await still_serving(api)


async def test_a_request_within_the_timeout_is_served_and_one_past_it_is_stopped(
    tight: Api,
) -> None:
    await still_serving(tight)
    started = asyncio.get_running_loop().time()
    stopped = await post(
        tight, {"query": "{ me { role } }"}, **{"X-Consistency-Token": FUTURE_TOKEN}
    )
    elapsed = asyncio.get_running_loop().time() - started
    assert stopped.status_code == 503
    assert code_of(stopped) == "TIMEOUT"
    assert stopped.json()["errors"][0]["extensions"]["timeoutSeconds"] == REQUEST_TIMEOUT
    assert elapsed >= REQUEST_TIMEOUT
    await still_serving(tight)


async def test_a_body_sent_slower_than_the_timeout_is_stopped(tight: Api) -> None:
    # Over a bare socket: the answer comes while the body is still owed, which an HTTP
    # client that writes the whole body before it reads would see as a reset.
    host, port = tight.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Authorization: {tight.headers(Role.SUPERVISOR)['Authorization']}\r\n"
        "Content-Length: 100\r\n\r\n"
    )
    writer.write(head.encode() + b'{"query": ')
    await writer.drain()
    try:
        answer = await asyncio.wait_for(reader.read(), timeout=TIMEOUT)
    finally:
        writer.close()
    status, _, body = answer.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 503")
    assert orjson.loads(body)["errors"][0]["extensions"]["code"] == "TIMEOUT"
    await still_serving(tight)


@asynccontextmanager
async def socket(api: Api) -> AsyncIterator[AsyncWebSocketSession]:
    """A graphql-transport-ws connection, acknowledged, as a supervisor."""
    async with (
        httpx.AsyncClient(base_url=api.url) as client,
        aconnect_ws("/graphql", client, subprotocols=["graphql-transport-ws"]) as ws,  # type: ignore[var-annotated]
    ):
        credentials = api.headers(Role.SUPERVISOR)
        await ws.send_json({"type": "connection_init", "payload": credentials})
        assert (await ws.receive_json(timeout=TIMEOUT))["type"] == "connection_ack"
        yield ws


async def next_message(ws: AsyncWebSocketSession) -> dict[str, Any]:
    message: dict[str, Any] = await ws.receive_json(timeout=TIMEOUT)
    return message


def subscribe(id: str) -> dict[str, Any]:
    return {"id": id, "type": "subscribe", "payload": {"query": QUIET}}


async def test_a_connection_runs_its_operation_budget_and_the_next_is_refused(
    tight: Api,
) -> None:
    async with socket(tight) as ws:
        for id in map(str, range(1, MAX_OPERATIONS + 1)):
            await ws.send_json(subscribe(id))
        await ws.send_json({"type": "ping"})
        assert (await next_message(ws))["type"] == "pong"  # all of them running, none refused
        await ws.send_json(subscribe("over"))
        refused = await next_message(ws)
        assert (refused["id"], refused["type"]) == ("over", "error")
        extensions = refused["payload"][0]["extensions"]
        assert extensions == {"code": "INVALID_INPUT", "maxOperations": MAX_OPERATIONS}
        await ws.send_json({"id": "1", "type": "complete"})
        await ws.send_json(subscribe("again"))
        await ws.send_json({"type": "ping"})
        assert (await next_message(ws))["type"] == "pong"  # a freed place is taken again
    await still_serving(tight)


def ping_of(size: int) -> str:
    """A ping frame of exactly `size` bytes."""
    frame = '{"type": "ping", "payload": {"pad": ""}}'
    return frame.replace('""', '"' + "x" * (size - len(frame)) + '"')


async def closed_with(ws: AsyncWebSocketSession) -> int:
    """The close code, once every message before it is read."""
    try:
        while True:
            await ws.receive(timeout=TIMEOUT)
    except WebSocketDisconnect as closed:
        return closed.code


async def test_a_message_of_exactly_the_limit_is_answered_and_one_byte_more_closes_1009(
    api: Api,
) -> None:
    async with socket(api) as ws:
        await ws.send_text(ping_of(MAX_BODY_BYTES))
        assert (await next_message(ws))["type"] == "pong"
        await ws.send_text(ping_of(MAX_BODY_BYTES + 1))
        assert await closed_with(ws) == CLOSE_TOO_BIG
    await still_serving(api)


async def test_messages_at_the_rate_are_answered_and_a_burst_past_it_closes_1008(
    throttled: Api,
) -> None:
    async with socket(throttled) as ws:
        await asyncio.sleep(1.5 / MESSAGES_PER_SECOND)  # the allowance the init took grows back
        for _ in range(MESSAGES_PER_SECOND + 1):
            await ws.send_json({"type": "ping"})
        for _ in range(MESSAGES_PER_SECOND):  # a second's worth at once is answered
            assert (await next_message(ws))["type"] == "pong"
        assert await closed_with(ws) == CLOSE_POLICY
    await still_serving(throttled)
