"""Database fixtures: each test run gets a fresh database, on CSO_TEST_DATABASE_URL's server
or, when that is unset, on the embedded PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from cso.database import connect, create_pool, embedded_database_url
from cso.migrations import migrate

ROOT = Path(__file__).resolve().parent.parent


def with_database(url: str, database: str) -> str:
    """The same server URL, pointing at another database (keeps user, host and query)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture(scope="session")
def server_url() -> str:
    configured = os.environ.get("CSO_TEST_DATABASE_URL")
    if configured:
        return configured
    return embedded_database_url(ROOT / ".cso" / "test")


@pytest.fixture(scope="session")
async def database_url(server_url: str) -> AsyncIterator[str]:
    name = f"cso_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = with_database(server_url, name)
    conn = await connect(url)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    yield url
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(scope="session")
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool[Any]]:
    pool = await create_pool(database_url, min_size=2, max_size=20)
    yield pool
    await pool.close()


@pytest.fixture
def anyio_backend() -> Iterator[str]:
    yield "asyncio"


@pytest.fixture
async def empty_database(server_url: str) -> AsyncIterator[str]:
    """A database with nothing in it, not even migrations; dropped afterwards."""
    name = f"cso_empty_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield with_database(server_url, name)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
