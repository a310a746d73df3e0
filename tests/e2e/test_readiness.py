"""Ready means ready: the read models hold the log as it stood when the server started."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import httpx
import uvicorn

from cso.app import create_app, open_runtime
from cso.database import connect
from cso.domain.enums import OfficerRole
from cso.migrations import migrate
from cso.services import officers
from cso.services.application import Command
from cso.services.identity import Principal, Role
from cso.settings import Settings
from tests.e2e.conftest import SECRET, _free_port

SUPERVISOR = Principal(id=str(uuid.uuid4()), role=Role.SUPERVISOR, name="罗建华", dept="区委组织部")
OFFICERS = 3


def _settings(url: str, *, projections: bool) -> Settings:
    return Settings.from_env(
        {
            "CSO_DATABASE_URL": url,
            "CSO_JWT_SECRET": SECRET,
            "CSO_RUN_PROJECTIONS": "1" if projections else "0",
        }
    )


async def _database_with_unprojected_events(url: str) -> None:
    """Migrated, with officers registered by a process that runs no projection."""
    conn = await connect(url)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    async with open_runtime(_settings(url, projections=False)) as runtime:
        for n in range(OFFICERS):
            await officers.register_officer(
                runtime.application,
                Command(principal=SUPERVISOR, correlation_id=str(uuid.uuid4())),
                name=f"官员{n}",
                department="区投资促进局",
                roles=[OfficerRole.CSO],
                party_member=True,
                phone="13800001234",
            )


@contextlib.asynccontextmanager
async def _server(url: str, *, catch_up_first: bool) -> AsyncIterator[tuple[uvicorn.Server, str]]:
    """An API process that runs no projection of its own, starting in the background."""
    port = _free_port()
    app = create_app(_settings(url, projections=False), catch_up_first=catch_up_first)
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def _until_started(server: uvicorn.Server, seconds: float) -> bool:
    async with asyncio.timeout(seconds):
        while not server.started:
            await asyncio.sleep(0.01)  # uvicorn offers no "started" event to await
    return True


async def _officers_in_read_model(url: str) -> int:
    conn = await connect(url)
    try:
        count: int = await conn.fetchval("SELECT count(*) FROM rm_officers")
        return count
    finally:
        await conn.close()


async def test_readyz_says_catching_up_until_the_read_models_hold_the_log_as_at_start(
    empty_database: str,
) -> None:
    await _database_with_unprojected_events(empty_database)
    async with (
        _server(empty_database, catch_up_first=False) as (server, url),
        httpx.AsyncClient(base_url=url) as client,
    ):
        await _until_started(server, 30)
        behind = await client.get("/readyz")
        assert behind.status_code == 503
        assert behind.json()["status"] == "catching_up"
        assert behind.json()["lagEvents"]["officers"] >= OFFICERS
        async with open_runtime(_settings(empty_database, projections=True)):
            async with asyncio.timeout(30):
                while (ready := await client.get("/readyz")).status_code != 200:
                    await asyncio.sleep(0.05)
        assert ready.json() == {"status": "ready"}
        assert await _officers_in_read_model(empty_database) == OFFICERS


async def test_a_server_told_to_catch_up_first_serves_only_once_the_read_models_hold_the_log(
    empty_database: str,
) -> None:
    await _database_with_unprojected_events(empty_database)
    async with _server(empty_database, catch_up_first=True) as (server, url):
        await asyncio.sleep(0.5)
        assert not server.started  # nothing projects yet: it must not accept connections
        async with open_runtime(_settings(empty_database, projections=True)):
            await _until_started(server, 30)
            async with httpx.AsyncClient(base_url=url) as client:
                first = await client.get("/readyz")
            projected = await _officers_in_read_model(empty_database)
    assert first.json() == {"status": "ready"}
    assert projected == OFFICERS


async def test_an_older_open_transaction_does_not_make_a_server_serve_before_the_log_is_projected(
    empty_database: str,
) -> None:
    # Transaction ids are server-wide: any open transaction older than the log's newest
    # events (another database's, here a bare one) holds them behind the readers' watermark.
    older = await connect(empty_database)
    transaction = older.transaction()
    await transaction.start()
    await older.fetchval("SELECT pg_current_xact_id()")
    try:
        await _database_with_unprojected_events(empty_database)
        async with _server(empty_database, catch_up_first=True) as (server, url):
            await asyncio.sleep(0.5)
            assert not server.started
            await transaction.commit()
            async with open_runtime(_settings(empty_database, projections=True)):
                await _until_started(server, 30)
                async with httpx.AsyncClient(base_url=url) as client:
                    first = await client.get("/readyz")
                projected = await _officers_in_read_model(empty_database)
    finally:
        await older.close()
    assert first.json() == {"status": "ready"}
    assert projected == OFFICERS
