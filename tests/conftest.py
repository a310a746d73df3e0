"""Database fixtures: each test run gets a fresh database, on CSO_TEST_DATABASE_URL's server
or, when that is unset, on the embedded PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from cso.database import connect, create_pool, embedded_database_url, scratch_database
from cso.migrations import migrate

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def server_url() -> str:
    configured = os.environ.get("CSO_TEST_DATABASE_URL")
    if configured:
        return configured
    return embedded_database_url(ROOT / ".cso" / "test")


@pytest.fixture(scope="session")
async def database_url(server_url: str) -> AsyncIterator[str]:
    async with scratch_database(server_url, "cso_test") as url:
        conn = await connect(url)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        yield url


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
    async with scratch_database(server_url, "cso_empty") as url:
        yield url
