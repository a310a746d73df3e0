"""Generated hostile input over HTTP and WebSocket (issue 12): never a 5xx, never internals,
always a coded error, the server keeps serving, and a refused request appends nothing.

The quick runs send a few hundred requests each; `make test-slow` sends thousands.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
from httpx_ws import WebSocketDisconnect, aconnect_ws

from cso.services.identity import Role
from tests.e2e import hostile
from tests.e2e.conftest import Api

T = TypeVar("T")
QUICK, MANY = 60, 2000
COUNTS = [QUICK, pytest.param(MANY, marks=pytest.mark.slow)]
# Codes a WebSocket may close with on hostile frames: the protocol's own, never 1011.
WS_CLOSES = {1000, 4400, 4401, 4403, 4409, 4429}


async def send_all(items: Iterable[T], send: Callable[[T], Awaitable[None]]) -> None:
    gate = asyncio.Semaphore(16)

    async def one(item: T) -> None:
        async with gate:
            await send(item)

    await asyncio.gather(*(one(item) for item in items))


async def events(pool: asyncpg.Pool[Any]) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM events")
    return count


async def still_serving(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("count", COUNTS)
async def test_generated_queries_answer_data_or_coded_errors(
    client: httpx.AsyncClient, api: Api, count: int
) -> None:
    documents = hostile.draw(hostile.operations(hostile.QUERIES), count)

    async def send(document: str) -> None:
        role = Role.SUPERVISOR if len(document) % 2 else Role.VIEWER
        hostile.assert_answer(
            await client.post("/graphql", json={"query": document}, headers=api.headers(role))
        )

    await send_all(documents, send)
    await still_serving(client)


@pytest.mark.parametrize("count", COUNTS)
async def test_generated_mutations_refused_to_a_viewer_append_nothing(
    client: httpx.AsyncClient, api: Api, pool: asyncpg.Pool[Any], count: int
) -> None:
    documents = hostile.draw(hostile.operations(hostile.MUTATIONS), count)
    before = await events(pool)

    async def send(document: str) -> None:
        response = await client.post(
            "/graphql", json={"query": document}, headers=api.headers(Role.VIEWER)
        )
        body = hostile.assert_answer(response)
        assert body["errors"], body
        assert not any((body.get("data") or {}).values()), body

    await send_all(documents, send)
    assert await events(pool) == before
    await still_serving(client)


@pytest.mark.parametrize("count", COUNTS)
async def test_generated_mutations_from_a_supervisor_answer_payloads_or_coded_errors(
    client: httpx.AsyncClient, api: Api, count: int
) -> None:
    documents = hostile.draw(hostile.operations(hostile.MUTATIONS), count)

    async def send(document: str) -> None:
        response = await client.post(
            "/graphql", json={"query": document}, headers=api.headers(Role.SUPERVISOR)
        )
        hostile.assert_answer(response)

    await send_all(documents, send)
    await still_serving(client)


@pytest.mark.parametrize("count", COUNTS)
async def test_mangled_documents_answer_coded_errors(
    client: httpx.AsyncClient, api: Api, count: int
) -> None:
    valid = hostile.draw(hostile.operations(hostile.QUERIES), 20)
    documents = [m for d in valid for m in hostile.draw(hostile.mangled(d), count // 20)]

    async def send(document: str) -> None:
        response = await client.post(
            "/graphql", json={"query": document}, headers=api.headers(Role.SUPERVISOR)
        )
        hostile.assert_answer(response)

    await send_all(documents, send)
    await still_serving(client)


@pytest.mark.parametrize("count", COUNTS)
async def test_raw_bodies_answer_coded_errors_over_post_and_get(
    client: httpx.AsyncClient, api: Api, count: int
) -> None:
    bodies = hostile.draw(hostile.raw_bodies, count)

    async def send(body: bytes) -> None:
        headers = api.headers(Role.SUPERVISOR, **{"content-type": "application/json"})
        hostile.assert_answer(await client.post("/graphql", content=body, headers=headers))
        text = body.decode("utf-8", "replace")
        params = {"query": text, "variables": text}
        hostile.assert_answer(await client.get("/graphql", params=params, headers=headers))

    await send_all(bodies, send)
    await still_serving(client)


@pytest.mark.parametrize("count", [QUICK // 3, pytest.param(MANY // 4, marks=pytest.mark.slow)])
async def test_generated_websocket_frames_close_with_the_protocols_codes(
    client: httpx.AsyncClient, api: Api, count: int
) -> None:
    frames = hostile.draw(hostile.frames, count)
    init = {
        "type": "connection_init",
        "payload": {"Authorization": f"Bearer {api.token(Role.AUDITOR)}"},
    }

    async def send(frame: str) -> None:
        async with httpx.AsyncClient(base_url=api.url) as own:
            try:
                async with aconnect_ws(
                    "/graphql", own, subprotocols=["graphql-transport-ws"]
                ) as ws:
                    await ws.send_json(init)
                    assert (await ws.receive_json(timeout=10))["type"] == "connection_ack"
                    await ws.send_text(frame)
                    for _ in range(3):  # answers, errors, or the close
                        message = await ws.receive_text(timeout=2)
                        assert all(leak not in message for leak in hostile.LEAKS), message
                        for error in _errors(json.loads(message)):
                            assert error["extensions"]["code"] in hostile.CODES, error
            except* WebSocketDisconnect as closed:
                codes = {e.code for e in closed.exceptions if isinstance(e, WebSocketDisconnect)}
                assert codes <= WS_CLOSES, (frame, codes)
            except* TimeoutError:
                pass  # nothing to say to a ping-less pong, a complete of nothing: fine

    await send_all(frames, send)
    await still_serving(client)


@pytest.mark.parametrize("count", [QUICK, pytest.param(MANY // 4, marks=pytest.mark.slow)])
async def test_generated_connection_inits_are_acknowledged_or_refused_with_a_code(
    client: httpx.AsyncClient, api: Api, count: int
) -> None:
    found = hostile.draw(hostile.inits, count)

    async def send(init: dict[str, Any]) -> None:
        async with httpx.AsyncClient(base_url=api.url) as own:
            try:
                async with aconnect_ws(
                    "/graphql", own, subprotocols=["graphql-transport-ws"]
                ) as ws:
                    await ws.send_json(init)
                    assert (await ws.receive_json(timeout=10))["type"] == "connection_ack"
            except* WebSocketDisconnect as closed:
                codes = {e.code for e in closed.exceptions if isinstance(e, WebSocketDisconnect)}
                assert codes <= {4400, 4403}, (init, codes)

    await send_all(found, send)
    await still_serving(client)


def _errors(message: Any) -> list[Any]:
    if not isinstance(message, dict):
        return []
    payload = message.get("payload")
    if message.get("type") == "error" and isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        return list(payload.get("errors") or [])
    return []
