"""projectChanged and eventAppended over graphql-transport-ws."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
from httpx_ws import AsyncWebSocketSession, aconnect_ws

from cso.eventstore.fanout import READER_NAME
from cso.services.identity import Role
from tests.e2e.conftest import Api
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

PROJECT_CHANGED = """subscription($id: ID!, $after: String) {
  projectChanged(id: $id, after: $after) { id version stage cso { id } milestones { milestone } }
}"""

EVENT_APPENDED = """subscription($types: [String!], $after: String) {
  eventAppended(streamTypes: $types, after: $after) { streamId streamType type token }
}"""

TIMEOUT = 10


@asynccontextmanager
async def subscribed(
    api: Api, role: Role | None, query: str, variables: dict[str, Any]
) -> AsyncIterator[AsyncWebSocketSession]:
    async with (
        httpx.AsyncClient(base_url=api.url) as client,
        aconnect_ws("/graphql", client, subprotocols=["graphql-transport-ws"]) as ws,  # type: ignore[var-annotated]
    ):
        credentials = {} if role is None else {"Authorization": f"Bearer {api.token(role)}"}
        await ws.send_json({"type": "connection_init", "payload": credentials})
        assert (await ws.receive_json(timeout=TIMEOUT))["type"] == "connection_ack"
        await ws.send_json(
            {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )
        yield ws
        await ws.send_json({"id": "1", "type": "complete"})


def reader_tasks() -> set[asyncio.Task[Any]]:
    return {task for task in asyncio.all_tasks() if task.get_name() == READER_NAME}


async def next_payload(ws: AsyncWebSocketSession) -> dict[str, Any]:
    message = await ws.receive_json(timeout=TIMEOUT)
    assert message["type"] == "next", message
    payload: dict[str, Any] = message["payload"]
    return payload


async def test_a_subscriber_sees_the_project_after_each_change(gql: OverHttp, api: Api) -> None:
    registered = await support.project(gql)
    project_id = registered["project"]["id"]
    variables = {"id": project_id, "after": registered["consistencyToken"]}
    async with subscribed(api, Role.VIEWER, PROJECT_CHANGED, variables) as ws:
        officer_id = (await support.officer(gql))["officer"]["id"]
        await gql(support.ASSIGN_CSO, {"input": {"projectId": project_id, "officerId": officer_id}})
        changed = (await next_payload(ws))["data"]["projectChanged"]
        assert (changed["version"], changed["cso"]) == (2, {"id": officer_id})
        await gql(
            """mutation($input: ReachMilestoneInput!) { reachMilestone(input: $input) {
                 consistencyToken } }""",
            {
                "input": {
                    "projectId": project_id,
                    "milestone": "SITE_SELECTED",
                    "on": support.days_ago(1),
                }
            },
        )
        changed = (await next_payload(ws))["data"]["projectChanged"]
        assert changed["version"] == 3
        assert changed["stage"] == "SITE_SELECTED"
        assert [m["milestone"] for m in changed["milestones"]] == ["SIGNED", "SITE_SELECTED"]


async def test_twenty_subscribers_on_one_project_share_one_log_reader(
    gql: OverHttp, api: Api
) -> None:
    registered = await support.project(gql)
    project_id = registered["project"]["id"]
    variables = {"id": project_id, "after": registered["consistencyToken"]}
    before = reader_tasks()  # the API runs in this event loop: its reader may have started
    async with AsyncExitStack() as stack:
        sockets = [
            await stack.enter_async_context(
                subscribed(api, Role.VIEWER, PROJECT_CHANGED, variables)
            )
            for _ in range(20)
        ]
        officer_id = (await support.officer(gql))["officer"]["id"]
        await gql(support.ASSIGN_CSO, {"input": {"projectId": project_id, "officerId": officer_id}})
        for ws in sockets:
            changed = (await next_payload(ws))["data"]["projectChanged"]
            assert (changed["version"], changed["cso"]) == (2, {"id": officer_id})
        assert len(reader_tasks() - before) <= 1  # one log reader at most, not one each


async def test_subscribing_to_an_unknown_project_is_not_found(api: Api) -> None:
    variables = {"id": "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11"}
    async with subscribed(api, Role.VIEWER, PROJECT_CHANGED, variables) as ws:
        message = await ws.receive_json(timeout=TIMEOUT)
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"


async def test_an_auditor_follows_the_events_of_chosen_stream_types(
    gql: OverHttp, api: Api
) -> None:
    before = await support.officer(gql)
    variables = {"types": ["IndustryChain"], "after": before["consistencyToken"]}
    async with subscribed(api, Role.AUDITOR, EVENT_APPENDED, variables) as ws:
        await support.officer(gql)  # not an IndustryChain: not sent
        chain_id = (await support.chain(gql))["chain"]["id"]
        event = (await next_payload(ws))["data"]["eventAppended"]
        while event["streamId"] != chain_id:  # other tests may establish chains meanwhile
            event = (await next_payload(ws))["data"]["eventAppended"]
        assert (event["streamType"], event["type"]) == (
            "IndustryChain",
            "IndustryChain.Established",
        )


async def test_a_viewer_may_not_follow_the_event_log(api: Api) -> None:
    async with subscribed(api, Role.VIEWER, EVENT_APPENDED, {}) as ws:
        message = await ws.receive_json(timeout=TIMEOUT)
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_subscribing_without_a_token_is_unauthenticated(api: Api) -> None:
    variables = {"id": "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11"}
    async with subscribed(api, None, PROJECT_CHANGED, variables) as ws:
        message = await ws.receive_json(timeout=TIMEOUT)
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
