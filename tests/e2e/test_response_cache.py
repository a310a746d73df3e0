"""The response cache over HTTP (CSO_RESPONSE_CACHE=on): repeated queries are answered from
it, never past a write, never across callers, never older than a consistency token."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from cso.graphql import response_cache
from cso.services.identity import Role
from tests.e2e.conftest import Api, serving
from tests.e2e.test_personal_data import READ, a_person, accesses_of, applied, subject_of
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

ENTERPRISES = "query Names($first: Int) { enterprises(first: $first) { totalCount } }"
OFFICERS = "query { officers(first: 100) { totalCount edges { node { id name } } } }"


@pytest.fixture(scope="module")
async def cached_api(database_url: str) -> AsyncIterator[Api]:
    async with serving(database_url, CSO_RESPONSE_CACHE="on") as running:
        yield running


@pytest.fixture(scope="module")
async def other_cached_api(database_url: str, cached_api: Api) -> AsyncIterator[Api]:
    """A second API process with its own cache on the same database (no runners of its own)."""
    async with serving(database_url, CSO_RESPONSE_CACHE="on", CSO_RUN_PROJECTIONS="0") as running:
        yield running


@pytest.fixture
async def cached(cached_api: Api) -> AsyncIterator[OverHttp]:
    async with httpx.AsyncClient(base_url=cached_api.url, timeout=10) as client:
        yield OverHttp(client, cached_api.secret)


async def counter(gql: OverHttp, name: str) -> float:
    """The sum of a counter's samples on the server's /metrics."""
    text = (await gql.client.get("/metrics")).text
    pattern = re.escape(name) if "{" in name else rf"{name}(?:{{[^}}]*}})?"
    samples = re.findall(rf"^{pattern} (\S+)$", text, re.MULTILINE)
    return sum(float(value) for value in samples)


async def settled(gql: OverHttp) -> None:
    """Wait until the read models hold every event so far (nothing moves under a test)."""
    token = (await support.officer(gql))["consistencyToken"]
    await gql("{ __typename }", headers={"X-Consistency-Token": token})


async def test_a_repeated_query_is_answered_from_the_cache_with_the_same_body(
    cached: OverHttp,
) -> None:
    await settled(cached)
    first = await cached(ENTERPRISES, {"first": 5}, role=Role.VIEWER)
    hits = await counter(cached, "cso_response_cache_hits_total")
    again = await cached(ENTERPRISES, {"first": 5}, role=Role.VIEWER)
    assert again.body == first.body
    assert await counter(cached, "cso_response_cache_hits_total") == hits + 1


async def test_other_variables_are_another_entry(cached: OverHttp) -> None:
    await settled(cached)
    await cached(ENTERPRISES, {"first": 5}, role=Role.VIEWER)
    misses = await counter(cached, "cso_response_cache_misses_total")
    await cached(ENTERPRISES, {"first": 6}, role=Role.VIEWER)
    assert await counter(cached, "cso_response_cache_misses_total") == misses + 1


async def test_a_mutations_effect_is_in_the_next_query_once_the_read_models_hold_it(
    cached: OverHttp,
) -> None:
    await settled(cached)
    before = (await cached(ENTERPRISES, {"first": 1})).data["enterprises"]["totalCount"]
    assert (await cached(ENTERPRISES, {"first": 1})).data["enterprises"]["totalCount"] == before
    token = (await support.enterprise(cached))["consistencyToken"]
    # Once the read models hold the write (waited for with the token on another query),
    # the same query without a token must not be answered from before it.
    await cached("{ __typename }", headers={"X-Consistency-Token": token})
    after = await cached(ENTERPRISES, {"first": 1})
    assert after.data["enterprises"]["totalCount"] == before + 1


async def test_a_query_with_a_consistency_token_sees_the_write(cached: OverHttp) -> None:
    await settled(cached)
    before = (await cached(OFFICERS)).data["officers"]["totalCount"]
    written = await support.officer(cached, name="缓存测试")
    reply = await cached(OFFICERS, headers={"X-Consistency-Token": written["consistencyToken"]})
    assert reply.body["extensions"]["consistency"] == {"reached": True}
    assert reply.data["officers"]["totalCount"] == before + 1


async def test_a_hit_with_a_consistency_token_says_it_was_reached(cached: OverHttp) -> None:
    token = (await support.officer(cached))["consistencyToken"]
    headers = {"X-Consistency-Token": token}
    first = await cached(ENTERPRISES, {"first": 2}, headers=headers)
    hits = await counter(cached, "cso_response_cache_hits_total")
    again = await cached(ENTERPRISES, {"first": 2}, headers=headers)
    assert await counter(cached, "cso_response_cache_hits_total") == hits + 1
    assert again.body == first.body
    assert again.body["extensions"] == {"consistency": {"reached": True}}


async def test_two_roles_never_share_an_entry(cached: OverHttp) -> None:
    await settled(cached)
    me = "{ me { id role } }"
    as_viewer = await cached(me, role=Role.VIEWER)
    as_supervisor = await cached(me, role=Role.SUPERVISOR)
    assert as_viewer.data["me"]["role"] == "viewer"
    assert as_supervisor.data["me"]["role"] == "supervisor"
    other = "00000000-0000-4000-8000-0000000000aa"
    assert (await cached(me, role=Role.VIEWER, sub=other)).data["me"]["id"] == other


async def test_mutations_are_never_answered_from_the_cache(cached: OverHttp) -> None:
    first = await support.officer(cached)
    second = await support.officer(cached)
    assert first["officer"]["id"] != second["officer"]["id"]


async def test_a_refused_query_is_not_cached(cached: OverHttp) -> None:
    query = "{ auditLog(first: 1) { totalCount } }"
    assert (await cached(query, role=Role.VIEWER)).code == "FORBIDDEN"
    allowed = await cached(query, role=Role.AUDITOR)
    assert allowed.data["auditLog"]["totalCount"] >= 1


async def test_another_process_never_serves_an_answer_from_before_a_write(
    cached: OverHttp, other_cached_api: Api
) -> None:
    async with httpx.AsyncClient(base_url=other_cached_api.url, timeout=10) as client:
        other = OverHttp(client, other_cached_api.secret)
        await settled(cached)
        before = (await other(OFFICERS)).data["officers"]["totalCount"]
        assert (await other(OFFICERS)).data["officers"]["totalCount"] == before
        token = (await support.officer(cached))["consistencyToken"]
        await cached("{ __typename }", headers={"X-Consistency-Token": token})
        assert (await other(OFFICERS)).data["officers"]["totalCount"] == before + 1


async def test_every_unmasked_personal_data_read_is_still_recorded(
    cached: OverHttp, database_url: str
) -> None:
    person = a_person()
    application_id, _ = await applied(cached, person)
    subject = await subject_of(database_url, person["idNumber"])
    read = await cached(READ, {"id": application_id})
    assert read.data["housingApplication"]["idNumber"] == person["idNumber"]
    # The apply payload showed the person's data too: one access, then one per read.
    assert len(await accesses_of(cached, subject, 2)) == 2
    again = await cached(READ, {"id": application_id})
    assert again.body == read.body
    assert len(await accesses_of(cached, subject, 3)) == 3


async def test_concurrent_identical_queries_are_computed_once_and_answered_alike(
    cached: OverHttp,
) -> None:
    await settled(cached)
    query = "query Some($first: Int) { enterprises(first: $first) { edges { node { id } } } }"
    hits = await counter(cached, "cso_response_cache_hits_total")
    misses = await counter(cached, "cso_response_cache_misses_total")
    replies = await asyncio.gather(*(cached(query, {"first": 7}) for _ in range(8)))
    assert all(reply.body == replies[0].body for reply in replies)
    new_hits = await counter(cached, "cso_response_cache_hits_total") - hits
    new_misses = await counter(cached, "cso_response_cache_misses_total") - misses
    assert new_hits + new_misses == 8
    assert new_misses <= 2  # one computes; others wait for it (or come after it)


async def test_the_cache_steps_aside_while_an_old_transaction_holds_the_watermark_back(
    cached: OverHttp, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await settled(cached)
    monkeypatch.setattr(response_cache, "MAX_EVENTS_ABOVE_WATERMARK", 0)
    unknown = 'cso_response_cache_misses_total{reason="unknown"}'
    before = await counter(cached, unknown)
    holder = await asyncpg.connect(database_url)
    try:
        async with holder.transaction():
            await holder.fetchval("SELECT pg_current_xact_id()")  # holds the watermark here
            await support.officer(cached)  # an event above it
            reply = await cached(OFFICERS)
            assert reply.data["officers"]["totalCount"] >= 1
    finally:
        await holder.close()
    assert await counter(cached, unknown) == before + 1
