"""Persisted queries over HTTP: the exchange Apollo Client's persisted-query link makes (and
urql's persistedExchange), the allow-list mode, and UTF-8 bodies from orjson."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from cso.graphql.persisted_queries import manifest_of
from cso.services.identity import Role
from tests.e2e.conftest import Api, serving
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

QUERY = "query Me { me { id role } }"
SHA = hashlib.sha256(QUERY.encode()).hexdigest()
PERSISTED = {"persistedQuery": {"version": 1, "sha256Hash": SHA}}


def fresh_query() -> tuple[str, str]:
    """A document no server has seen yet (APQ stores are per process), and its hash."""
    text = f"query Me {{ me {{ id role }} }} # {Path(__file__).name} {id(object())}"
    return text, hashlib.sha256(text.encode()).hexdigest()


def persisted(sha: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha}}


async def test_apollos_exchange_registers_a_query_then_runs_it_by_hash(
    client: httpx.AsyncClient, api: Api
) -> None:
    text, sha = fresh_query()
    headers = api.headers(Role.VIEWER)
    # 1. The hash alone: unknown yet.
    first = await client.post(
        "/graphql",
        json={"operationName": "Me", "variables": {}, "extensions": persisted(sha)},
        headers=headers,
    )
    assert first.status_code == 200
    assert first.json()["errors"] == [
        {
            "message": "PersistedQueryNotFound",
            "extensions": {
                "code": "PERSISTED_QUERY_NOT_FOUND",
                "correlationId": first.headers["x-correlation-id"],
            },
        }
    ]
    # 2. The link sends hash and text together: run, and registered.
    second = await client.post(
        "/graphql",
        json={"operationName": "Me", "query": text, "variables": {}, "extensions": persisted(sha)},
        headers=headers,
    )
    assert second.json() == {"data": {"me": {"id": api_sub(api), "role": "viewer"}}}
    # 3. From now on the hash alone runs it, by POST or by GET.
    third = await client.post(
        "/graphql", json={"operationName": "Me", "extensions": persisted(sha)}, headers=headers
    )
    assert third.json() == second.json()
    params = {"operationName": "Me", "variables": "{}", "extensions": json.dumps(persisted(sha))}
    by_get = await client.get("/graphql", params=params, headers=headers)
    assert by_get.json() == second.json()


def api_sub(api: Api) -> str:
    return "00000000-0000-4000-8000-000000000042"


async def test_a_hash_that_is_not_the_texts_is_refused(client: httpx.AsyncClient, api: Api) -> None:
    response = await client.post(
        "/graphql",
        json={"query": "{ me { id } }", "extensions": PERSISTED},
        headers=api.headers(Role.VIEWER),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"


async def test_another_protocol_version_is_not_supported(
    client: httpx.AsyncClient, api: Api
) -> None:
    response = await client.post(
        "/graphql",
        json={"extensions": {"persistedQuery": {"version": 2, "sha256Hash": SHA}}},
        headers=api.headers(Role.VIEWER),
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"


async def test_a_malformed_hash_is_invalid_input(client: httpx.AsyncClient, api: Api) -> None:
    response = await client.post(
        "/graphql",
        json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "x" * 64}}},
        headers=api.headers(Role.VIEWER),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_responses_are_utf8_json_without_ascii_escapes(
    client: httpx.AsyncClient, api: Api, gql: OverHttp
) -> None:
    written = await support.officer(gql, department="区投资促进局")
    token = api.token(Role.VIEWER, sub="00000000-0000-4000-8000-000000000043")
    response = await client.post(
        "/graphql",
        json={"query": "{ me { name } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.headers["content-type"] == "application/json"
    assert response.content == b'{"data":{"me":{"name":"Tester"}}}'
    officers = await client.post(
        "/graphql",
        json={"query": "{ officers(first: 1) { edges { node { department } } } }"},
        headers=api.headers(Role.VIEWER, **{"X-Consistency-Token": written["consistencyToken"]}),
    )
    assert "区投资促进局".encode() in officers.content  # as UTF-8, not \\u escapes
    assert b"\\u" not in officers.content


@pytest.fixture(scope="module")
async def allowlist_api(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Api]:
    manifest = tmp_path_factory.mktemp("pq") / "manifest.json"
    manifest.write_text(json.dumps(manifest_of([("Me", "query", QUERY)])))
    async with serving(
        database_url,
        CSO_PERSISTED_QUERIES="allowlist",
        CSO_PERSISTED_QUERIES_FILE=str(manifest),
        CSO_RUN_PROJECTIONS="0",
    ) as running:
        yield running


async def test_the_allow_list_runs_its_documents_by_hash_or_by_text(allowlist_api: Api) -> None:
    async with httpx.AsyncClient(base_url=allowlist_api.url) as client:
        headers = allowlist_api.headers(Role.VIEWER)
        by_hash = await client.post("/graphql", json={"extensions": PERSISTED}, headers=headers)
        by_text = await client.post("/graphql", json={"query": QUERY}, headers=headers)
        assert by_hash.json()["data"]["me"]["role"] == "viewer"
        assert by_text.json() == by_hash.json()


async def test_the_allow_list_refuses_every_other_document(allowlist_api: Api) -> None:
    text, sha = fresh_query()
    async with httpx.AsyncClient(base_url=allowlist_api.url) as client:
        headers = allowlist_api.headers(Role.VIEWER)
        for body in (
            {"query": text},
            {"extensions": persisted(sha)},
            {"query": text, "extensions": persisted(sha)},  # no registering either
            {"extensions": persisted(sha)},
        ):
            response = await client.post("/graphql", json=body, headers=headers)
            assert response.status_code == 403
            code = response.json()["errors"][0]["extensions"]["code"]
            assert code == "PERSISTED_QUERY_NOT_ALLOWED"
