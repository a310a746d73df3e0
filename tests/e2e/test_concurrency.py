"""Concurrency is the normal case: many officers, two API processes, one project."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import httpx
import pytest

from cso.services.identity import Role
from tests.e2e.conftest import Api
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp, Reply

RECORD = """mutation($input: RecordServiceInput!) {
  recordService(input: $input) { serviceId project { version } consistencyToken } }"""
HISTORY = """query($id: ID!) { streamHistory(streamId: $id) { version type data } }"""
PROJECT = """query($id: ID!) { project(id: $id) { version services { totalCount } } }"""


def _record_input(project_id: str, n: int, expected_version: int | None) -> dict[str, Any]:
    pinned = {} if expected_version is None else {"expectedVersion": expected_version}
    return support.service_input(project_id, f"第{n}次咨询", kind="CONSULTATION", **pinned)


async def _record_at_once(
    apis: list[Api], project_id: str, officer_id: str, pins: list[int | None]
) -> list[Reply]:
    """One recordService per pin (its expectedVersion, or None), all sent at once, taking
    turns over the API processes; the replies in the order of the pins."""
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            OverHttp(
                await stack.enter_async_context(httpx.AsyncClient(base_url=api.url, timeout=60)),
                api.secret,
            )
            for api in apis
        ]
        return await asyncio.gather(
            *(
                clients[n % len(clients)](
                    RECORD, _record_input(project_id, n, pin), role=Role.OFFICER, sub=officer_id
                )
                for n, pin in enumerate(pins)
            )
        )


async def _recorded_service_ids(gql: OverHttp, project_id: str) -> tuple[list[int], set[str]]:
    """The project stream's versions, and the ids of the services recorded in it."""
    history = (await gql(HISTORY, {"id": project_id}, role=Role.AUDITOR)).data["streamHistory"]
    recorded = {e["data"]["service_id"] for e in history if e["type"] == "Project.ServiceRecorded"}
    return [e["version"] for e in history], recorded


async def test_32_concurrent_commands_each_succeed_or_conflict_and_successes_are_in_history(
    gql: OverHttp, api: Api, second_api: Api
) -> None:
    project_id, officer_id = await support.project_with_cso(gql)
    version = (await gql(PROJECT, {"id": project_id})).data["project"]["version"]
    # Half pin the version they read (most of those must conflict); the other half let
    # the server re-run them on fresh state.
    pins = [version if n % 4 == 0 else None for n in range(32)]
    replies = await _record_at_once([api, second_api], project_id, officer_id, pins)
    successes = [r for r in replies if not r.body.get("errors")]
    refusals = [r for r in replies if r.body.get("errors")]
    assert {r.code for r in refusals} <= {"CONFLICT"}
    assert all(isinstance(r.error["extensions"]["currentVersion"], int) for r in refusals)
    # Eight commands pinned the same version: at most one of them can have landed.
    assert len(refusals) >= 7
    assert successes
    versions, recorded = await _recorded_service_ids(gql, project_id)
    assert {r.data["recordService"]["serviceId"] for r in successes} == recorded
    assert versions == list(range(1, len(versions) + 1))


async def test_two_api_processes_see_each_others_writes(
    gql: OverHttp, api: Api, second_api: Api
) -> None:
    project_id, officer_id = await support.project_with_cso(gql)
    async with httpx.AsyncClient(base_url=second_api.url, timeout=30) as other:
        elsewhere = OverHttp(other, second_api.secret)
        # Warm both processes' caches, then write alternately through each: every write
        # must start from the other's latest version, not from a stale cached one.
        for n in range(6):
            target = gql if n % 2 == 0 else elsewhere
            reply = await target(
                RECORD, _record_input(project_id, n, None), role=Role.OFFICER, sub=officer_id
            )
            token = reply.data["recordService"]["consistencyToken"]
        seen = await elsewhere(PROJECT, {"id": project_id}, headers={"X-Consistency-Token": token})
    assert seen.data["project"]["services"]["totalCount"] == 6


async def test_96_unpinned_commands_over_two_api_processes_all_succeed_and_are_in_the_stream(
    gql: OverHttp, api: Api, second_api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    project_id, officer_id = await support.project_with_cso(gql)
    caplog.set_level(logging.INFO, logger="cso.services.application")
    started = time.perf_counter()
    replies = await _record_at_once([api, second_api], project_id, officer_id, [None] * 96)
    elapsed = time.perf_counter() - started
    assert [r.body.get("errors") for r in replies] == [None] * 96
    _, recorded = await _recorded_service_ids(gql, project_id)
    assert {r.data["recordService"]["serviceId"] for r in replies} == recorded
    assert len(recorded) == 96
    reruns = sum("re-running" in r.getMessage() for r in caplog.records)
    print(f"96 commands over two API processes: {elapsed:.2f} s, {reruns} re-runs")


async def test_96_unpinned_commands_on_one_api_process_all_succeed_without_a_re_run(
    gql: OverHttp, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    project_id, officer_id = await support.project_with_cso(gql)
    caplog.set_level(logging.INFO, logger="cso.services.application")
    started = time.perf_counter()
    replies = await _record_at_once([api], project_id, officer_id, [None] * 96)
    elapsed = time.perf_counter() - started
    assert [r.body.get("errors") for r in replies] == [None] * 96
    _, recorded = await _recorded_service_ids(gql, project_id)
    assert {r.data["recordService"]["serviceId"] for r in replies} == recorded
    assert not [r for r in caplog.records if "re-running" in r.getMessage()]
    print(f"96 commands on one API process: {elapsed:.2f} s")
