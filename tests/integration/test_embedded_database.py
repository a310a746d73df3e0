"""The path `make serve` takes when CSO_DATABASE_URL is unset: an embedded PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pgserver

from cso.database import create_pool, embedded_database_url
from cso.eventstore import EventStore, Metadata, NewEvent, StreamAppend
from cso.migrations import migrate


async def test_the_embedded_database_starts_migrates_and_stores_events(tmp_path: Path) -> None:
    url = embedded_database_url(tmp_path)
    try:
        pool = await create_pool(url, min_size=1, max_size=2)
        try:
            async with pool.acquire() as conn:
                assert await migrate(conn)
            stream = uuid.uuid4()
            event = NewEvent("test:Happened", '{"ok": true}', datetime.now(UTC))
            await EventStore(pool).append([StreamAppend(stream, "Test", 0, [event])], Metadata())
            assert (await EventStore(pool).verify_stream(stream)).events_checked == 1
        finally:
            await pool.close()
        # A second start of the same data directory reuses it: nothing to migrate.
        again = await create_pool(embedded_database_url(tmp_path), min_size=1, max_size=1)
        try:
            async with again.acquire() as conn:
                assert await migrate(conn) == []
        finally:
            await again.close()
    finally:
        pgserver.get_server(tmp_path / "pgdata").cleanup()
