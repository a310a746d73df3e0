"""The log is append-only, and a change made behind the triggers' back breaks the hash chain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from asyncpg.pool import PoolConnectionProxy

from cso.eventstore import EventStore, Metadata, StreamAppend, Verification
from cso.eventstore.hashing import canonical_encoding, chain
from tests.integration.eventstore.conftest import MakeEvent

TAMPERED = 6


async def _stream_of_ten(store: EventStore, make_event: MakeEvent) -> UUID:
    stream = uuid4()
    made = await store.append(
        [StreamAppend(stream, "Test", 0, [make_event(n) for n in range(1, 5)])],
        Metadata(reason="first four"),
    )
    await store.append(
        [
            StreamAppend(
                stream, "Test", 4, [make_event(n) for n in range(5, 11)], made.hashes[stream]
            )
        ],
        Metadata(reason="six more"),
    )
    return stream


@asynccontextmanager
async def _behind_the_triggers(
    pool: asyncpg.Pool[Any], how: str
) -> AsyncIterator[PoolConnectionProxy[Any]]:
    """A superuser's connection on which the append-only triggers do not fire."""
    async with pool.acquire() as conn, conn.transaction():
        if how == "replica role":
            await conn.execute("SET LOCAL session_replication_role = replica")
            yield conn
        else:
            await conn.execute("ALTER TABLE events DISABLE TRIGGER USER")
            yield conn
            await conn.execute("ALTER TABLE events ENABLE TRIGGER USER")


@pytest.mark.parametrize("how", ["replica role", "disabled triggers"])
@pytest.mark.parametrize(
    "change",
    [
        "data = jsonb_set(data, '{n}', '999')",
        "metadata = jsonb_set(metadata, '{reason}', '\"nothing to see\"')",
        "type = 'test:Other'",
        "recorded_at = recorded_at - interval '1 day'",
        "stream_type = 'Other'",
    ],
)
async def test_tampering_with_one_event_is_found_at_exactly_that_version(
    store: EventStore, pool: asyncpg.Pool[Any], make_event: MakeEvent, how: str, change: str
) -> None:
    stream = await _stream_of_ten(store, make_event)
    assert await store.verify_stream(stream) == Verification(ok=True, events_checked=10)

    async with _behind_the_triggers(pool, how) as conn:
        changed = await conn.execute(
            f"UPDATE events SET {change} WHERE stream_id = $1 AND version = $2", stream, TAMPERED
        )
    assert changed == "UPDATE 1"

    assert await store.verify_stream(stream) == Verification(
        ok=False, events_checked=TAMPERED, first_bad_version=TAMPERED
    )


async def test_tampering_that_also_rewrites_the_events_hash_is_found_at_the_next_version(
    store: EventStore, pool: asyncpg.Pool[Any], make_event: MakeEvent
) -> None:
    stream = await _stream_of_ten(store, make_event)
    events = await store.read_stream(stream)
    forged = events[TAMPERED - 1]
    forged_data = {**forged.data, "n": 999}
    forged_hash = chain(
        events[TAMPERED - 2].hash,
        canonical_encoding(
            stream,
            forged.stream_type,
            forged.version,
            forged.type,
            forged_data,
            forged.metadata,
            forged.recorded_at,
        ),
    )

    async with _behind_the_triggers(pool, "replica role") as conn:
        await conn.execute(
            "UPDATE events SET data = $3::jsonb, hash = $4 WHERE stream_id = $1 AND version = $2",
            stream,
            TAMPERED,
            forged_data,
            forged_hash,
        )

    assert await store.verify_stream(stream) == Verification(
        ok=False, events_checked=TAMPERED + 1, first_bad_version=TAMPERED + 1
    )


async def test_an_event_removed_from_the_middle_of_a_stream_is_found_where_it_was(
    store: EventStore, pool: asyncpg.Pool[Any], make_event: MakeEvent
) -> None:
    stream = await _stream_of_ten(store, make_event)

    async with _behind_the_triggers(pool, "replica role") as conn:
        await conn.execute(
            "DELETE FROM events WHERE stream_id = $1 AND version = $2", stream, TAMPERED
        )

    verification = await store.verify_stream(stream)
    assert verification.ok is False
    assert verification.first_bad_version == TAMPERED


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET data = '{\"n\": 0}' WHERE stream_id = $1",
        "DELETE FROM events WHERE stream_id = $1",
    ],
)
async def test_update_and_delete_on_events_are_refused(
    store: EventStore, pool: asyncpg.Pool[Any], make_event: MakeEvent, statement: str
) -> None:
    stream = await _stream_of_ten(store, make_event)

    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await pool.execute(statement, stream)

    assert [e.data["n"] for e in await store.read_stream(stream)] == list(range(1, 11))
    assert (await store.verify_stream(stream)).ok


async def test_truncate_on_events_is_refused(
    store: EventStore, pool: asyncpg.Pool[Any], make_event: MakeEvent
) -> None:
    stream = await _stream_of_ten(store, make_event)

    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:  # rolled back whatever happens, so a missing trigger cannot empty the shared log
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="TRUNCATE"):
                await conn.execute("TRUNCATE events")
        finally:
            await transaction.rollback()

    assert len(await store.read_stream(stream)) == 10


async def test_an_insert_that_would_leave_a_gap_in_a_stream_is_refused(
    store: EventStore, pool: asyncpg.Pool[Any], make_event: MakeEvent
) -> None:
    stream = await _stream_of_ten(store, make_event)

    with pytest.raises(asyncpg.PostgresError, match="has no version 11") as caught:
        await pool.execute(
            "INSERT INTO events (stream_id, stream_type, version, type, data, metadata,"
            " recorded_at, hash) VALUES ($1, 'Test', 12, 't', '{}', '{}', now(), '\\x00')",
            stream,
        )

    assert caught.value.sqlstate == "CS409"
    assert await store.stream_version(stream) == 10
