"""Connecting to PostgreSQL: a configured URL, or an embedded server kept under the data dir."""

from __future__ import annotations

import contextlib
import logging
import uuid
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol, TypeAlias
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import orjson

log = logging.getLogger(__name__)

Pool = asyncpg.Pool
# What a pool hands out behaves as a connection; functions that only run SQL take either.
AnyConnection: TypeAlias = "asyncpg.Connection[Any] | asyncpg.pool.PoolConnectionProxy[Any]"


class Reader(Protocol):
    """What read-model queries need: a pool, a connection, or a request's snapshot
    (cso.graphql.snapshot.ReadSnapshot) all offer it, with asyncpg's arguments and results."""

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]: ...

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None: ...

    async def fetchval(self, query: str, *args: Any) -> Any: ...


def pgserver_module() -> Any:
    """The pgserver module (the embedded PostgreSQL), imported quietly."""
    try:
        with warnings.catch_warnings():
            # pgserver asks platformdirs for a runtime directory at import; without
            # XDG_RUNTIME_DIR (a container, ssh, cron) it warns on every command, uselessly.
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
            import pgserver
            import pgserver.utils
    except ImportError as exc:  # pragma: no cover - depends on the install extras
        raise RuntimeError(
            "CSO_DATABASE_URL is unset and the embedded PostgreSQL is not installed; "
            "install the 'embedded' extra or set CSO_DATABASE_URL"
        ) from exc
    return pgserver


def embedded_database_url(data_dir: Path, database: str = "postgres") -> str:
    """Start (or reuse) the embedded PostgreSQL whose files live in `data_dir`/pgdata."""
    pgserver = pgserver_module()
    pgdata = (data_dir / "pgdata").resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # Started here: stopped when this process exits (Ctrl-C, SIGTERM, the end of a command),
    # once no other process of ours uses it. Already running: someone else's, left running.
    cleanup = None if embedded_database_running(data_dir) else "stop"
    server = pgserver.get_server(pgdata, cleanup_mode=cleanup)
    url: str = server.get_uri(database)
    log.info("embedded PostgreSQL running in %s", pgdata)
    return url


def embedded_database_running(data_dir: Path) -> bool:
    """Whether the embedded PostgreSQL of `data_dir` runs now (its postmaster.pid is live)."""
    info = pgserver_module().utils.PostmasterInfo.read_from_pgdata((data_dir / "pgdata").resolve())
    return info is not None and bool(info.is_running())


def resolve_database_url(configured: str | None, data_dir: Path) -> str:
    return configured or embedded_database_url(data_dir)


async def _init_connection(conn: asyncpg.Connection[Any]) -> None:
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(
            typename,
            encoder=lambda value: value if isinstance(value, str) else orjson.dumps(value).decode(),
            decoder=orjson.loads,
            schema="pg_catalog",
        )


async def _keep_session(conn: asyncpg.Connection[Any]) -> None:
    """A pooled connection's release: asyncpg has rolled back any transaction left open,
    and nothing else needs undoing, since our code changes session state (SET, LISTEN,
    advisory locks, cursors) only on connections of its own or within a transaction. The
    default reset sends `RESET ALL; UNLISTEN *; ...` on every release: a second round trip
    for every pooled query, which cost the append path about a third of its throughput."""


async def create_pool(
    url: str,
    *,
    min_size: int = 2,
    max_size: int = 20,
    idle_in_transaction_timeout_ms: int = 30000,
    init: Callable[[asyncpg.Connection[Any]], Awaitable[None]] | None = None,
) -> asyncpg.Pool[Any]:
    async def setup(conn: asyncpg.Connection[Any]) -> None:
        await _init_connection(conn)
        if init is not None:
            await init(conn)

    pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=setup,
        reset=_keep_session,
        server_settings={
            # A transaction left open holds back every log reader (DESIGN §2).
            "idle_in_transaction_session_timeout": str(idle_in_transaction_timeout_ms),
            "application_name": "cso",
        },
    )
    assert pool is not None
    return pool


async def connect(url: str) -> asyncpg.Connection[Any]:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(url)
    await _init_connection(conn)
    return conn


def with_database(url: str, database: str) -> str:
    """The same server URL pointing at another database (user, host and query kept)."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


@contextlib.asynccontextmanager
async def scratch_database(server_url: str, prefix: str) -> AsyncIterator[str]:
    """A new, empty database on the server for as long as the block runs; dropped after."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin: asyncpg.Connection[Any] = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield with_database(server_url, name)
    finally:
        admin = await asyncpg.connect(server_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
