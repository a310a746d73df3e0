"""One snapshot per query: every read of a response sees the same moment."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cso.app import open_runtime
from cso.eventstore import Checkpoint
from cso.graphql import consistency
from cso.graphql.schema import build_schema
from cso.graphql.snapshot import ReadSnapshot
from cso.runtime import Runtime
from cso.settings import Settings
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
        before = await _sees_no_later_commit(snapshot, pool)
        assert await pool.fetchval(f"SELECT count(*) FROM {PROBE}") == before + 1
    finally:
        await snapshot.close()


async def _sees_no_later_commit(snapshot: ReadSnapshot, pool: Any) -> int:
    """Count the probe's rows through `snapshot`, commit one more through `pool`, and check
    the snapshot still counts as many: the count."""
    before: int = await snapshot.fetchval(f"SELECT count(*) FROM {PROBE}")
    await pool.execute(f"INSERT INTO {PROBE} VALUES (1)")
    assert await snapshot.fetchval(f"SELECT count(*) FROM {PROBE}") == before
    return before


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


async def test_queries_that_load_aggregates_while_holding_their_snapshot_never_starve_the_pool(
    database_url: str,
) -> None:
    # A missing id falls back to loading the aggregate through the store's pool while the
    # query holds its snapshot: with one shared pool of 2, three such queries deadlocked.
    settings = Settings.from_env(
        {
            "CSO_DATABASE_URL": database_url,
            "CSO_POOL_MAX_SIZE": "2",
            "CSO_READ_POOL_MAX_SIZE": "2",
            "CSO_RUN_PROJECTIONS": "0",
        }
    )
    missing = "00000000-0000-4000-8000-000000000001"
    async with open_runtime(settings) as runtime:
        gql = InProcess(build_schema(), runtime)
        async with asyncio.timeout(10):
            replies = await asyncio.gather(
                *(
                    gql("query($id: ID!) { project(id: $id) { name } }", {"id": missing})
                    for _ in range(12)
                )
            )
    assert [reply.data["project"] for reply in replies] == [None] * 12


ISOLATION = "SELECT current_setting('transaction_isolation')"


async def test_a_snapshot_told_it_reads_once_runs_that_read_alone_and_a_later_one_in_a_transaction(
    runtime: Runtime,
) -> None:
    pool = runtime.pool
    await pool.execute(f"CREATE TABLE IF NOT EXISTS {PROBE} (n integer)")
    snapshot = ReadSnapshot(pool)
    snapshot.read_once()
    try:
        # The first read: the session's own isolation, so no transaction of the snapshot's.
        assert await snapshot.fetchval(ISOLATION) == await pool.fetchval(ISOLATION)
        assert await snapshot.fetchval(ISOLATION) == "repeatable read"
        await _sees_no_later_commit(snapshot, pool)
    finally:
        await snapshot.close()


async def test_reading_once_is_no_longer_possible_once_a_snapshot_is_taken(
    runtime: Runtime,
) -> None:
    snapshot = ReadSnapshot(runtime.pool)
    try:
        assert await snapshot.fetchval(ISOLATION) == "repeatable read"
        snapshot.read_once()
        assert await snapshot.fetchval(ISOLATION) == "repeatable read"
    finally:
        await snapshot.close()
