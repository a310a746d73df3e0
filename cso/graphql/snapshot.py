"""One database snapshot per query: every read of a request sees the same moment.

Resolvers of one response run concurrently, and on a pool each would take its own
connection and its own moment: while writes land, a page's `totalCount` could disagree
with its edges. A query therefore reads through one connection inside one read-only
REPEATABLE READ transaction, begun on its first read (after any consistency wait) and
ended when the response is complete. Reads on that connection take turns (asyncpg runs
one statement at a time per connection); DataLoaders batch inside it.

A query the executor finds reads once (`read_once`: a field marked `fields.reads_once`,
alone, whose whole value completes by compiled plans) has its one statement run without
the transaction: a statement sees one snapshot by itself, and the BEGIN and ROLLBACK round
trips cost such a query (a page of projects) two thirds of its database round trips.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

log = logging.getLogger(__name__)


class ReadSnapshot:
    """A request's reads, on one connection in one repeatable-read, read-only transaction.

    Offers asyncpg's `fetch`, `fetchrow` and `fetchval` (same arguments, same results), so
    read-model queries take it wherever they take a pool. The connection is acquired on the
    first read and given back by `close()`; a snapshot never read costs nothing.
    """

    def __init__(self, pool: asyncpg.Pool[Any]) -> None:
        self._pool = pool
        self._turn = asyncio.Lock()
        self._conn: PoolConnectionProxy[Any] | None = None
        self._transaction: Transaction | None = None
        self._closed = False
        self._once = False

    @property
    def begun(self) -> bool:
        """Whether the snapshot has been taken (a read has happened)."""
        return self._conn is not None

    def read_once(self) -> None:
        """Let the first read run without a transaction: the query's reads are that one
        statement. Should another read follow all the same (a page fetching what the read
        models lack yet, which replays it at its latest anyway), it begins the transaction
        then, and the reads from there on share its moment. No effect once begun."""
        if self._conn is None:
            self._once = True

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        async with self._turn:
            conn = await self._connection()
            return await conn.fetch(query, *args)

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        async with self._turn:
            conn = await self._connection()
            return await conn.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        async with self._turn:
            conn = await self._connection()
            return await conn.fetchval(query, *args)

    async def close(self) -> None:
        """End the transaction and give the connection back; reads after this raise."""
        async with self._turn:
            self._closed = True
            conn, transaction = self._conn, self._transaction
            self._conn = self._transaction = None
            if conn is None:
                return
            try:
                if transaction is not None:
                    await transaction.rollback()  # read-only: nothing to keep
            except (asyncpg.InterfaceError, asyncpg.PostgresError, OSError) as exc:
                # The server ended the session (say, idle in transaction too long): there
                # is nothing left to roll back, and the pool replaces the connection.
                log.warning("a query's snapshot connection was lost: %s", exc)
            finally:
                await self._pool.release(conn)

    async def _connection(self) -> PoolConnectionProxy[Any]:
        if self._closed:
            raise RuntimeError("this request's snapshot is closed")
        if self._conn is None:
            self._conn = await self._pool.acquire()
            if self._once:
                return self._conn  # the one read: its statement is its snapshot
        if self._transaction is None:
            transaction = self._conn.transaction(isolation="repeatable_read", readonly=True)
            try:
                await transaction.start()
            except BaseException:
                conn, self._conn = self._conn, None
                await self._pool.release(conn)
                raise
            self._transaction = transaction
        return self._conn
