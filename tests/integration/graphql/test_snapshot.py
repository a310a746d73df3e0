"""One snapshot per query: every read of a response sees the same moment."""

from __future__ import annotations

import asyncio

import pytest

from cso.eventstore import Checkpoint
from cso.graphql import consistency
from cso.graphql.snapshot import ReadSnapshot
from cso.runtime import Runtime
from tests.integration.graphql import support
from tests.integration.graphql.support import InProcess

SERVICES = """query($id: ID!) {
  project(id: $id) { services(first: 100) { totalCount edges { node { id } } } }
}"""

RECORD = """mutation($input: RecordServiceInput!) {
  recordService(input: $input) { consistencyToken } }"""

PROBE = "snapshot_probe"


async def test_a_page_that_holds_every_service_agrees_with_its_total_while_writes_land(
    gql: InProcess,
) -> None:
    project_id, _ = await support.project_with_cso(gql)
    writes = 60

    async def write() -> None:
        for n in range(writes):
            reply = await gql(RECORD, support.service_input(project_id, f"走访 {n}"))
            assert reply.data["recordService"]["consistencyToken"]

    writer = asyncio.create_task(write())
    totals = set()
    try:
        while not writer.done():
            services = (await gql(SERVICES, {"id": project_id})).data["project"]["services"]
            assert services["totalCount"] == len(services["edges"])
            totals.add(services["totalCount"])
        await writer
    finally:
        writer.cancel()
    assert len(totals) > 1, "the reads never overlapped the writes"


async def test_reads_of_one_snapshot_do_not_see_a_commit_made_between_them(
    runtime: Runtime,
) -> None:
    pool = runtime.pool
    await pool.execute(f"CREATE TABLE IF NOT EXISTS {PROBE} (n integer)")
    snapshot = ReadSnapshot(pool)
    try:
        before = await snapshot.fetchval(f"SELECT count(*) FROM {PROBE}")
        await pool.execute(f"INSERT INTO {PROBE} VALUES (1)")
        assert await snapshot.fetchval(f"SELECT count(*) FROM {PROBE}") == before
        assert await pool.fetchval(f"SELECT count(*) FROM {PROBE}") == before + 1
    finally:
        await snapshot.close()


async def test_a_snapshot_is_read_only_and_gives_its_connection_back(runtime: Runtime) -> None:
    pool = runtime.pool
    await pool.execute(f"CREATE TABLE IF NOT EXISTS {PROBE} (n integer)")
    free = pool.get_idle_size()
    snapshot = ReadSnapshot(pool)
    with pytest.raises(Exception, match="read-only"):
        await snapshot.fetch(f"INSERT INTO {PROBE} VALUES (2) RETURNING n")
    await snapshot.close()
    assert pool.get_idle_size() >= free
    with pytest.raises(RuntimeError, match="closed"):
        await snapshot.fetchval("SELECT 1")


async def test_a_query_whose_token_is_not_reached_in_time_says_it_is_stale(
    gql: InProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consistency, "WAIT_SECONDS", 0.2)
    never = Checkpoint(10**15, 10**15).token()
    reply = await gql("{ me { id } }", headers={"X-Consistency-Token": never})
    assert reply.body["extensions"]["consistency"] == {"reached": False}
    assert reply.headers.get("x-consistency") == "stale"


async def test_a_query_whose_token_is_reached_says_so_without_the_stale_header(
    gql: InProcess,
) -> None:
    project_id, _ = await support.project_with_cso(gql)
    written = await gql(RECORD, support.service_input(project_id, "走访"))
    token = written.data["recordService"]["consistencyToken"]
    reply = await gql(SERVICES, {"id": project_id}, headers={"X-Consistency-Token": token})
    assert reply.body["extensions"]["consistency"] == {"reached": True}
    assert "x-consistency" not in reply.headers
    assert reply.data["project"]["services"]["totalCount"] == 1
