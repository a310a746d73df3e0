"""A consistency wait that times out says so over HTTP; CORS and WebSocket origins follow
CSO_CORS_ORIGINS (issue 12, fault 15 and CORS)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from httpx_ws import WebSocketDisconnect, WebSocketUpgradeError, aconnect_ws

from cso.eventstore.records import Checkpoint
from cso.services.identity import Role
from tests.e2e.conftest import Api, serving

ALLOWED = "https://desk.example.gov.cn"
OTHER = "https://evil.example"


@pytest.fixture(scope="module")
async def cors_api(database_url: str) -> AsyncIterator[Api]:
    async with serving(
        database_url, CSO_CORS_ORIGINS=f"{ALLOWED}, https://other.example", CSO_RUN_PROJECTIONS="0"
    ) as running:
        yield running


async def test_a_query_whose_consistency_wait_times_out_says_it_is_stale(
    client: httpx.AsyncClient, api: Api
) -> None:
    never = Checkpoint(10**15, 10**15).token()
    response = await client.post(
        "/graphql",
        json={"query": "{ me { id } }"},
        headers=api.headers(Role.VIEWER, **{"X-Consistency-Token": never}),
    )
    assert response.status_code == 200
    assert response.headers["x-consistency"] == "stale"
    body = response.json()
    assert body["extensions"]["consistency"] == {"reached": False}
    assert body["data"]["me"]["id"]


async def test_a_preflight_from_an_allowed_origin_is_answered(cors_api: Api) -> None:
    async with httpx.AsyncClient(base_url=cors_api.url) as client:
        response = await client.options(
            "/graphql",
            headers={
                "Origin": ALLOWED,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == ALLOWED
        refused = await client.options(
            "/graphql",
            headers={"Origin": OTHER, "Access-Control-Request-Method": "POST"},
        )
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers


async def test_a_response_carries_cors_headers_only_for_an_allowed_origin(cors_api: Api) -> None:
    query = {"query": "{ __typename }"}
    async with httpx.AsyncClient(base_url=cors_api.url) as client:
        allowed = await client.post("/graphql", json=query, headers={"Origin": ALLOWED})
        assert allowed.headers["access-control-allow-origin"] == ALLOWED
        assert "x-consistency-token" in allowed.headers["access-control-expose-headers"].lower()
        other = await client.post("/graphql", json=query, headers={"Origin": OTHER})
        assert "access-control-allow-origin" not in other.headers


async def test_without_configured_origins_no_cors_headers_are_sent(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": ALLOWED}
    )
    assert "access-control-allow-origin" not in response.headers


async def websocket_accepted(api: Api, origin: str) -> bool:
    async with httpx.AsyncClient(base_url=api.url) as client:
        try:
            async with aconnect_ws(
                "/graphql",
                client,
                subprotocols=["graphql-transport-ws"],
                headers={"Origin": origin},
            ) as ws:
                await ws.send_json({"type": "connection_init", "payload": {}})
                return (await ws.receive_json(timeout=5))["type"] == "connection_ack"
        except (WebSocketUpgradeError, WebSocketDisconnect):
            return False


async def test_websocket_origins_are_checked_against_the_same_list(cors_api: Api) -> None:
    assert await websocket_accepted(cors_api, ALLOWED)
    assert not await websocket_accepted(cors_api, OTHER)


async def test_without_configured_origins_a_cross_origin_websocket_is_refused(api: Api) -> None:
    assert not await websocket_accepted(api, OTHER)
    assert await websocket_accepted(api, api.url)  # the same origin
