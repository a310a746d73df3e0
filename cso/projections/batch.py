"""The connection a runner hands its handlers: writes wait, then go out as multi-row writes.

The runners share the API process's event loop. Under write load every await a runner makes
waits a full turn of a saturated loop, so one `conn.execute` per statement cannot keep pace
with the writers. `BatchWriter.execute` only remembers the statement; `flush` sends runs of
the same SQL (consecutive statements, never reordered) as one `executemany`, which asyncpg
pipelines: a batch of a thousand events of one kind costs a few round trips, not a thousand.

Reads (`fetch`, `fetchrow`, `fetchval`) flush first, so a handler always reads its own and
earlier events' writes. A failing deferred write cannot say which event wrote it: it raises
`DeferredWriteFailed`, and the runner applies the batch again with plain statements to name
the event (see runner.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import Any

import asyncpg

# Flush on the way when this many writes wait: bounds the memory a huge batch holds.
MAX_PENDING = 5_000


class DeferredWriteFailed(Exception):
    """A buffered write failed when flushed (the cause); which event wrote it is unknown."""


class BatchWriter:
    """Stands in for an asyncpg connection inside a batch's transaction. It offers what
    handlers may use: `execute`, `executemany`, the `fetch*` methods and
    `copy_records_to_table`; everything runs in the order it was given. The rest is missing
    on purpose (`transaction()` above all: a savepoint would not cover deferred writes), so
    that a handler using it fails loudly, never writes out of order.

    `round_trips` counts the statements and `executemany` calls sent, for tests and tuning.
    """

    def __init__(self, conn: asyncpg.Connection[Any], *, max_pending: int = MAX_PENDING) -> None:
        self.conn = conn
        self.max_pending = max_pending
        self.pending: list[tuple[str, tuple[Any, ...]]] = []
        self.round_trips = 0

    async def execute(self, query: str, *args: Any) -> str:
        """Queue `query` for the next flush. Returns an empty status: it has not run yet (a
        handler that needs the row count must read it with a `fetch*` method)."""
        self.pending.append((query, args))
        if len(self.pending) >= self.max_pending:
            await self.flush()
        return ""

    async def executemany(self, query: str, args: Iterable[Sequence[Any]]) -> None:
        """Queue `query` once per row of `args`, like that many `execute` calls."""
        for row in args:
            await self.execute(query, *row)

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        await self.flush()
        return await self.conn.fetch(query, *args)

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        await self.flush()
        return await self.conn.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        await self.flush()
        return await self.conn.fetchval(query, *args)

    async def copy_records_to_table(self, table_name: str, **options: Any) -> str:
        """COPY rows in, after the queued writes (asyncpg's method, same options)."""
        await self.flush()
        self.round_trips += 1
        return await self.conn.copy_records_to_table(table_name, **options)

    async def flush(self) -> None:
        """Send every queued write, in order; raise DeferredWriteFailed if one fails (the
        transaction is then aborted, and the queue is dropped)."""
        pending, self.pending = self.pending, []
        try:
            for query, run in groupby(pending, key=lambda statement: statement[0]):
                await self._send(query, [args for _, args in run])
        except Exception as exc:
            raise DeferredWriteFailed(f"a deferred write failed: {exc}") from exc

    async def _send(self, query: str, rows: Sequence[tuple[Any, ...]]) -> None:
        if len(rows) == 1 or not rows[0]:
            # Without arguments asyncpg sends the text as a simple query (which may hold
            # several statements, as a direct execute would allow): one at a time then.
            for args in rows:
                self.round_trips += 1
                await self.conn.execute(query, *args)
            return
        self.round_trips += 1
        await self.conn.executemany(query, rows)
