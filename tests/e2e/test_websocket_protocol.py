"""graphql-transport-ws from outside: malformed frames close with 4400, a token's expiry
closes the socket with 4401, a resume token from the future is refused (issue 12, 6–8)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import jwt
import pytest
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, aconnect_ws

from cso.eventstore.records import Checkpoint
from cso.graphql.auth import issue_token
from cso.services.identity import Role
from tests.e2e.conftest import Api
from tests.integration.graphql import support

TIMEOUT = 10
EVENTS = "subscription($after: String) { eventAppended(after: $after) { type token } }"


@asynccontextmanager
async def socket(api: Api) -> AsyncIterator[AsyncWebSocketSession]:
    async with (
        httpx.AsyncClient(base_url=api.url) as client,
        aconnect_ws("/graphql", client, subprotocols=["graphql-transport-ws"]) as ws,  # type: ignore[var-annotated]
    ):
        yield ws


async def close_code(ws: AsyncWebSocketSession, *sent: Any) -> int:
    """Send each frame (text as is, anything else as JSON); the code the server closes with."""
    try:
        for frame in sent:
            if isinstance(frame, str):
                await ws.send_text(frame)
            elif isinstance(frame, bytes):
                await ws.send_bytes(frame)
            else:
                await ws.send_json(frame)
        while True:
            await ws.receive(timeout=TIMEOUT)
    except WebSocketDisconnect as closed:
        return closed.code
    raise AssertionError("the socket stayed open")


async def initialised(ws: AsyncWebSocketSession, token: str) -> None:
    await ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    assert (await ws.receive_json(timeout=TIMEOUT))["type"] == "connection_ack"


def subscribe(query: str, variables: dict[str, Any] | None = None, id: str = "1") -> Any:
    return {"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}}


@pytest.mark.parametrize(
    "frame",
    [
        [],
        ["connection_init"],
        "5",
        "null",
        '"text"',
        "not json",
        b"\xff\xfe not text",
        {"type": "no-such-type"},
        {"no": "type"},
        {"type": 5},
        {"type": "connection_init", "payload": "x"},
        {"type": "ping", "payload": []},
    ],
)
async def test_a_malformed_frame_before_init_closes_with_4400(api: Api, frame: Any) -> None:
    async with socket(api) as ws:
        assert await close_code(ws, frame) == 4400


@pytest.mark.parametrize(
    "frame",
    [
        [{"type": "subscribe"}],
        {"type": "subscribe", "id": "1", "payload": "query"},
        {"type": "subscribe", "id": "1", "payload": None},
        {"type": "subscribe", "id": "1", "payload": []},
        {"type": "subscribe", "id": "1", "payload": {"query": 5}},
        {"type": "subscribe", "id": 1, "payload": {"query": "{ me { id } }"}},
        {"type": "subscribe", "id": "", "payload": {"query": "{ me { id } }"}},
        {"type": "subscribe", "id": "x" * 1000, "payload": {"query": "{ me { id } }"}},
        {"type": "subscribe", "id": "编" * 30, "payload": {"query": "{ me { id } }"}},
        {"type": "subscribe", "id": "1", "payload": {"query": "{ me { id } }", "variables": [1]}},
        {"type": "subscribe", "id": "1", "payload": {"query": "{ me { id } }", "operationName": 5}},
        {"type": "complete", "id": None},
        {"type": "complete"},
    ],
)
async def test_a_malformed_frame_after_init_closes_with_4400(api: Api, frame: Any) -> None:
    async with socket(api) as ws:
        await initialised(ws, api.token(Role.VIEWER))
        assert await close_code(ws, frame) == 4400


async def test_the_legacy_graphql_ws_protocol_is_not_spoken(api: Api) -> None:
    async with (
        httpx.AsyncClient(base_url=api.url) as client,
        aconnect_ws("/graphql", client, subprotocols=["graphql-ws"]) as ws,  # type: ignore[var-annotated]
    ):
        assert await close_code(ws, {"type": "connection_init"}) == 4406


async def test_a_duplicate_subscription_id_closes_with_4409_even_at_the_longest_id(
    api: Api,
) -> None:
    longest = "x" * 64
    async with socket(api) as ws:
        await initialised(ws, api.token(Role.AUDITOR))
        frame = subscribe(EVENTS, id=longest)
        assert await close_code(ws, frame, frame) == 4409


async def test_a_well_formed_query_still_runs_over_the_socket(api: Api) -> None:
    async with socket(api) as ws:
        await initialised(ws, api.token(Role.VIEWER))
        await ws.send_json(subscribe("{ me { role } }"))
        message = await ws.receive_json(timeout=TIMEOUT)
        assert message["payload"]["data"]["me"]["role"] == "viewer"


async def test_an_unknown_fragment_over_the_socket_is_a_validation_error(api: Api) -> None:
    async with socket(api) as ws:
        await initialised(ws, api.token(Role.VIEWER))
        await ws.send_json(subscribe("subscription { ...Nope }"))
        message = await ws.receive_json(timeout=TIMEOUT)
    assert message["type"] == "error", message
    assert {e["extensions"]["code"] for e in message["payload"]} == {"INVALID_INPUT"}


async def test_an_open_socket_is_closed_with_4401_when_its_token_expires(
    api: Api, gql: support.OverHttp
) -> None:
    token = issue_token(api.secret, sub=support.SUPERVISOR_ID, role=Role.AUDITOR, ttl_seconds=3)
    expires_at = jwt.decode(token, api.secret, algorithms=["HS256"])["exp"]
    async with socket(api) as ws:
        await initialised(ws, token)
        await ws.send_json(subscribe(EVENTS))
        await asyncio.sleep(0.5)
        await support.chain(gql)  # an event while the token is valid: delivered
        assert (await ws.receive_json(timeout=TIMEOUT))["type"] == "next"
        with pytest.raises(WebSocketDisconnect) as closed:
            while True:  # nothing is delivered once the token has expired
                await ws.receive_json(timeout=TIMEOUT)
                assert time.time() < expires_at
        assert closed.value.code == 4401
        assert time.time() < expires_at + 2


async def test_a_socket_opened_with_an_expired_token_is_refused(api: Api) -> None:
    token = issue_token(api.secret, sub=support.SUPERVISOR_ID, role=Role.AUDITOR, ttl_seconds=-1)
    async with socket(api) as ws:
        code = await close_code(
            ws, {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        )
    assert code == 4403


@pytest.mark.parametrize("authorization", ["Bearer \ud800", "Bearer a.\ud800.c", ["x"], 5])
async def test_connection_init_with_a_token_that_is_not_text_is_refused_with_4403(
    api: Api, authorization: object
) -> None:
    async with socket(api) as ws:
        init = {"type": "connection_init", "payload": {"Authorization": authorization}}
        assert await close_code(ws, init) == 4403


async def test_resuming_after_a_token_from_the_future_is_invalid_input(api: Api) -> None:
    future = Checkpoint(2**40, 2**40).token()
    async with socket(api) as ws:
        await initialised(ws, api.token(Role.AUDITOR))
        await ws.send_json(subscribe(EVENTS, {"after": future}))
        message = await ws.receive_json(timeout=TIMEOUT)
    assert message["type"] in ("error", "next")
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "INVALID_INPUT"
    assert errors[0]["extensions"]["field"] == "after"


async def test_resuming_after_a_token_this_server_gave_is_accepted(
    api: Api, gql: support.OverHttp
) -> None:
    chain = await support.chain(gql)
    async with socket(api) as ws:
        await initialised(ws, api.token(Role.AUDITOR))
        start = Checkpoint.from_token(chain["consistencyToken"])
        before = Checkpoint(start.transaction_id, start.position - 1).token()
        await ws.send_json(subscribe(EVENTS, {"after": before}))
        message = await ws.receive_json(timeout=TIMEOUT)
    assert message["type"] == "next", message
    assert message["payload"]["data"]["eventAppended"]["type"] == "IndustryChain.Established"
