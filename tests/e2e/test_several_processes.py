"""Two API processes and a projection worker on one database: each projection is applied
once, and each process honours the consistency tokens of the other's mutations."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from cso.database import connect
from cso.migrations import migrate
from cso.services.identity import Role
from tests.e2e.conftest import SECRET
from tests.e2e.processes import start_api, start_cso, stop
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

RECORD = """mutation($input: RecordServiceInput!) {
  recordService(input: $input) { consistencyToken } }"""
COUNT = """query($id: ID!) { project(id: $id) { services { totalCount } } }"""
STATUS = "{ projectionStatus { name lagEvents running } }"
SERVICES = 12


@pytest.fixture
def processes(empty_database: str) -> Iterator[tuple[str, str]]:
    """Two `cso serve` with no projection runners, and one `cso projections run`."""
    asyncio.run(_migrated(empty_database))  # the APIs would race to migrate otherwise
    env = {"CSO_DATABASE_URL": empty_database, "CSO_JWT_SECRET": SECRET}
    worker = start_cso("projections", "run", env=env)
    apis = [start_api({**env, "CSO_RUN_PROJECTIONS": "0"}) for _ in range(2)]
    try:
        yield apis[0][1], apis[1][1]
    finally:
        for process, _ in apis:
            stop(process, signal.SIGTERM)
        assert stop(worker, signal.SIGTERM) == 0


async def _migrated(url: str) -> None:
    conn = await connect(url)
    try:
        await migrate(conn)
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def _clients(*urls: str) -> AsyncIterator[list[OverHttp]]:
    async with contextlib.AsyncExitStack() as stack:
        yield [
            OverHttp(
                await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=30)),
                SECRET,
            )
            for url in urls
        ]


def test_two_apis_and_a_projection_worker_share_one_log(processes: tuple[str, str]) -> None:
    asyncio.run(_exercise(*processes))


async def _exercise(first_url: str, second_url: str) -> None:
    async with _clients(first_url, second_url) as (first, second):
        project_id, officer_id = await support.project_with_cso(first)
        for n in range(SERVICES):
            writer, reader = (first, second) if n % 2 == 0 else (second, first)
            variables = support.service_input(project_id, f"第{n}次走访")
            written = await writer(RECORD, variables, role=Role.OFFICER, sub=officer_id)
            token = written.data["recordService"]["consistencyToken"]
            # The other process waits for the token: the worker, not it, projects the write.
            read = await reader(COUNT, {"id": project_id}, headers={"X-Consistency-Token": token})
            assert read.headers.get("x-consistency") != "stale"
            assert read.data["project"]["services"]["totalCount"] == n + 1
        for api in (first, second):
            statuses = (await api(STATUS, role=Role.AUDITOR)).data["projectionStatus"]
            assert all(s["lagEvents"] == 0 for s in statuses)
            assert not any(s["running"] for s in statuses)  # the worker runs them all
