from __future__ import annotations

import httpx
from httpx_ws import WebSocketDisconnect, aconnect_ws

from cso.graphql.auth import Role
from tests.e2e.conftest import Api


async def test_healthz_answers_while_the_process_is_up(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_says_ready_once_migrations_are_applied(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


async def test_metrics_are_exposed_for_prometheus(client: httpx.AsyncClient) -> None:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert "python_info" in response.text


async def test_metrics_count_operations_and_errors_and_show_projection_lag(
    client: httpx.AsyncClient,
) -> None:
    def sample(text: str, name: str) -> float:
        lines = [line for line in text.splitlines() if line.startswith(name + " ")]
        return float(lines[0].split()[-1]) if lines else 0.0

    ok = (
        'cso_graphql_operation_seconds_count{operation="(introspection)",outcome="ok",type="query"}'
    )
    refused = 'cso_graphql_errors_total{code="UNAUTHENTICATED"}'
    before = (await client.get("/metrics")).text
    await client.post("/graphql", json={"query": "{ __typename }"})
    await client.post("/graphql", json={"query": "{ me { id } }"})
    after = (await client.get("/metrics")).text
    assert sample(after, ok) == sample(before, ok) + 1
    assert sample(after, refused) == sample(before, refused) + 1
    assert 'cso_projection_lag_events{projection="projects"}' in after


async def test_graphiql_is_served_on_get(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_typename_needs_no_token(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_me_without_a_token_is_unauthenticated(client: httpx.AsyncClient) -> None:
    body = (await client.post("/graphql", json={"query": "{ me { id } }"})).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_me_with_a_forged_token_is_unauthenticated(
    client: httpx.AsyncClient, api: Api
) -> None:
    forged = Api(url=api.url, secret="another-secret-that-is-long-enough-too").token(Role.VIEWER)
    body = (
        await client.post(
            "/graphql",
            json={"query": "{ me { id } }"},
            headers={"Authorization": f"Bearer {forged}"},
        )
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_me_names_the_bearer_of_the_token(client: httpx.AsyncClient, api: Api) -> None:
    body = (
        await client.post(
            "/graphql",
            json={"query": "{ me { id role name dept } }"},
            headers=api.headers(Role.AUDITOR),
        )
    ).json()
    assert body["data"]["me"] == {
        "id": "00000000-0000-4000-8000-000000000042",
        "role": "auditor",
        "name": "Tester",
        "dept": "QA",
    }


async def test_a_sent_correlation_id_comes_back(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"X-Correlation-ID": "trace-123"}
    )
    assert response.headers["x-correlation-id"] == "trace-123"


async def test_a_correlation_id_is_made_up_when_none_is_sent(client: httpx.AsyncClient) -> None:
    first = await client.get("/healthz")
    second = await client.get("/healthz")
    assert first.headers["x-correlation-id"] != second.headers["x-correlation-id"]


async def test_an_invalid_query_is_refused_with_a_code(client: httpx.AsyncClient) -> None:
    body = (await client.post("/graphql", json={"query": "{ noSuchField }"})).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_a_query_with_too_many_tokens_is_refused(client: httpx.AsyncClient) -> None:
    huge = "{ " + " ".join(f"a{n}: __typename" for n in range(2000)) + " }"
    body = (await client.post("/graphql", json={"query": huge})).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert "token" in body["errors"][0]["message"].lower()


async def test_a_query_with_too_many_aliases_is_refused(client: httpx.AsyncClient) -> None:
    aliased = "{ " + " ".join(f"a{n}: __typename" for n in range(40)) + " }"
    body = (await client.post("/graphql", json={"query": aliased})).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert "alias" in body["errors"][0]["message"].lower()


async def test_websocket_speaks_graphql_transport_ws_with_a_token(api: Api) -> None:
    async with (
        httpx.AsyncClient(base_url=api.url) as client,
        aconnect_ws("/graphql", client, subprotocols=["graphql-transport-ws"]) as ws,
    ):
        await ws.send_json(
            {
                "type": "connection_init",
                "payload": {"Authorization": f"Bearer {api.token(Role.VIEWER)}"},
            }
        )
        ack = await ws.receive_json(timeout=5)
        assert ack["type"] == "connection_ack"
        await ws.send_json(
            {"id": "1", "type": "subscribe", "payload": {"query": "{ me { role } }"}}
        )
        result = await ws.receive_json(timeout=5)
        assert result["type"] == "next"
        assert result["payload"]["data"]["me"]["role"] == "viewer"


async def test_websocket_with_a_bad_token_is_closed_as_forbidden(api: Api) -> None:
    codes: list[int] = []
    async with httpx.AsyncClient(base_url=api.url) as client:
        try:
            async with aconnect_ws("/graphql", client, subprotocols=["graphql-transport-ws"]) as ws:
                await ws.send_json(
                    {"type": "connection_init", "payload": {"Authorization": "Bearer nope"}}
                )
                await ws.receive(timeout=5)
        except* WebSocketDisconnect as closed:
            codes = [exc.code for exc in closed.exceptions if isinstance(exc, WebSocketDisconnect)]
    assert codes == [4403]
