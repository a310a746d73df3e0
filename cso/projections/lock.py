"""One runner per projection across all processes: a session advisory lock on its own
connection. When the process or the connection dies, the lock goes with it."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

TRY_LOCK = "SELECT pg_try_advisory_lock($1)"

# A runner stuck inside a batch would hold back every reader of the log (DESIGN §2).
IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000


def lock_key(name: str) -> int:
    """A stable 63-bit advisory-lock key per projection name."""
    return int.from_bytes(hashlib.sha256(f"projection:{name}".encode()).digest()[:8], "big") >> 1


async def runner_connection(
    database_url: str, application_name: str, search_path: str | None = None
) -> asyncpg.Connection[Any]:
    """A new connection of a projection runner's, named `application_name` (cut to
    PostgreSQL's 63 bytes) in pg_stat_activity, a transaction left idle ended after
    IDLE_IN_TRANSACTION_TIMEOUT_MS, and `search_path` when given (a rebuild's shadow schema
    first)."""
    settings = {
        "application_name": application_name[:63],
        "idle_in_transaction_session_timeout": str(IDLE_IN_TRANSACTION_TIMEOUT_MS),
    }
    if search_path is not None:
        settings["search_path"] = search_path
    conn: asyncpg.Connection[Any] = await asyncpg.connect(database_url, server_settings=settings)
    return conn


@contextlib.asynccontextmanager
async def locked_connection(
    database_url: str,
    name: str,
    *,
    poll_interval: float,
    holds_lock: asyncio.Event,
    search_path: str | None = None,
) -> AsyncIterator[asyncpg.Connection[Any]]:
    """A new connection that holds `name`'s lock, waiting while another runner has it.

    `holds_lock` is set while the lock is held and cleared the moment the connection is lost.
    `search_path`, when given, is the connection's (a rebuild's shadow schema first).
    """
    conn = await runner_connection(database_url, f"cso-projection:{name}", search_path)
    conn.add_termination_listener(lambda _: holds_lock.clear())
    try:
        while not await conn.fetchval(TRY_LOCK, lock_key(name)):
            await asyncio.sleep(poll_interval)  # another runner has it
        holds_lock.set()
        yield conn
    finally:
        holds_lock.clear()
        try:
            await conn.close(timeout=2)
        except Exception:
            conn.terminate()
