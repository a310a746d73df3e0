"""The BatchWriter on a real connection: deferred, ordered, pipelined, and all-or-nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from cso.projections.batch import BatchWriter, DeferredWriteFailed

CREATE = """
CREATE TEMPORARY TABLE batch_rows (
  k int PRIMARY KEY,
  v int NOT NULL CHECK (v >= 0)
)
"""
INSERT = "INSERT INTO batch_rows (k, v) VALUES ($1, $2)"
DOUBLE = "UPDATE batch_rows SET v = v * 2 WHERE k = $1"
ROWS = "SELECT k, v FROM batch_rows ORDER BY k"


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection[Any]]:
    connection: asyncpg.Connection[Any] = await asyncpg.connect(database_url)
    await connection.execute(CREATE)
    yield connection
    await connection.close()


async def rows(conn: asyncpg.Connection[Any]) -> list[tuple[int, int]]:
    return [(row["k"], row["v"]) for row in await conn.fetch(ROWS)]


async def test_writes_wait_for_the_flush_then_run_in_the_order_given_with_runs_of_one_sql_sent_once(
    conn: asyncpg.Connection[Any],
) -> None:
    writer = BatchWriter(conn)
    async with conn.transaction():
        for k in range(100):
            await writer.execute(INSERT, k, k)
        await writer.execute(DOUBLE, 7)
        await writer.execute(INSERT, 100, 1)
        await writer.execute(DOUBLE, 7)  # after the first doubling: order matters

        assert await rows(conn) == [], "nothing is sent before the flush"
        await writer.flush()

    found = dict(await rows(conn))
    assert len(found) == 101
    assert found[7] == 28 and found[6] == 6 and found[100] == 1
    assert writer.round_trips == 4, "100 INSERTs in one executemany, then three single writes"


async def test_a_read_through_the_writer_sees_the_writes_queued_before_it(
    conn: asyncpg.Connection[Any],
) -> None:
    writer = BatchWriter(conn)
    async with conn.transaction():
        await writer.execute(INSERT, 1, 5)
        await writer.execute(DOUBLE, 1)

        assert await writer.fetchval("SELECT v FROM batch_rows WHERE k = $1", 1) == 10
        row = await writer.fetchrow("SELECT count(*) AS n FROM batch_rows")
        assert row is not None and row["n"] == 1
        await writer.execute(INSERT, 2, 3)
        assert len(await writer.fetch(ROWS)) == 2
        assert writer.pending == []


async def test_a_failing_deferred_write_raises_at_the_flush_and_the_transaction_keeps_none_of_it(
    conn: asyncpg.Connection[Any],
) -> None:
    writer = BatchWriter(conn)
    with pytest.raises(DeferredWriteFailed) as failed:
        async with conn.transaction():
            await writer.execute(INSERT, 1, 1)
            await writer.execute(INSERT, 2, -1)  # breaks the CHECK, but only when sent
            await writer.execute(INSERT, 3, 3)
            await writer.flush()

    assert isinstance(failed.value.__cause__, asyncpg.CheckViolationError)
    assert await rows(conn) == []
    assert writer.pending == [], "the failed flush dropped its queue"


async def test_a_long_batch_is_flushed_on_the_way_and_still_all_or_nothing(
    conn: asyncpg.Connection[Any],
) -> None:
    writer = BatchWriter(conn, max_pending=10)
    name = uuid.uuid4().hex
    with pytest.raises(RuntimeError, match=name):
        async with conn.transaction():
            for k in range(25):
                await writer.execute(INSERT, k, k)
            assert len(writer.pending) == 5, "two flushes of ten went out on the way"
            assert len(await conn.fetch(ROWS)) == 20
            raise RuntimeError(name)

    assert await rows(conn) == []
