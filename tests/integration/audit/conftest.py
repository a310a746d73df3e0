"""Fixtures of the audit tools' tests: a database of their own (a whole-log check must not
see other tests' tampering), a few streams in it, the CLI against it, and tampering."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import orjson
import pytest
from click.testing import Result
from typer.testing import CliRunner

from cso.cli import app
from cso.database import connect, create_pool, scratch_database
from cso.eventstore import EventStore, Metadata, NewEvent, StreamAppend
from cso.migrations import migrate

Cli = Callable[..., Awaitable[Result]]
Tamper = Callable[..., Awaitable[str]]


@pytest.fixture
async def log_url(server_url: str) -> AsyncIterator[str]:
    async with scratch_database(server_url, "cso_audit") as url:
        conn = await connect(url)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        yield url


@pytest.fixture
async def log_store(log_url: str) -> AsyncIterator[EventStore]:
    pool = await create_pool(log_url, min_size=1, max_size=4)
    yield EventStore(pool)
    await pool.close()


@pytest.fixture
def cli(log_url: str) -> Cli:
    """`await cli("verify", …)`: the CLI on the test's database, in a thread of its own
    (each command runs its own event loop)."""

    async def invoke(*args: str) -> Result:
        runner = CliRunner()
        env = {"CSO_DATABASE_URL": log_url}
        return await asyncio.to_thread(runner.invoke, app, list(args), env=env)

    return invoke


async def append_streams(
    store: EventStore, streams: int = 3, events: int = 4, stream_type: str = "Test"
) -> list[UUID]:
    """`streams` new streams of `events` events each, appended one event at a time."""
    ids = [uuid4() for _ in range(streams)]
    for version in range(1, events + 1):
        for stream_id in ids:
            event = NewEvent(
                type="test:Happened",
                data=orjson.dumps({"n": version, "amount": "12.50"}).decode(),
                recorded_at=datetime.now(UTC),
            )
            await store.append(
                [StreamAppend(stream_id, stream_type, version - 1, [event])],
                Metadata(reason=f"step {version}"),
            )
    return ids


@pytest.fixture
def tamper(log_store: EventStore) -> Tamper:
    """`await tamper(sql, *args)`: run `sql` on the events table behind the append-only
    triggers' back (a superuser in replica mode), as an intruder with database access would."""

    async def run(statement: str, *args: Any) -> str:
        pool: asyncpg.Pool[Any] = log_store.pool
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            done: str = await conn.execute(statement, *args)
            return done

    return run
