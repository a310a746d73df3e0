"""The connection a runner hands its handlers: writes wait, then go out as multi-row writes.

The runners share the API process's event loop. Under write load every await a runner makes
waits a full turn of a saturated loop, so one `conn.execute` per statement cannot keep pace
with the writers. `BatchWriter.execute` only remembers the statement; `flush` sends runs of
the same SQL (consecutive statements, never reordered) as one `executemany`, which asyncpg
pipelines: a batch of a thousand events of one kind costs a few round trips, not a thousand.

Statements a projection declares keyed (`Projection.keyed_by`: it reads and writes only rows
identified by some of its arguments) may also be moved ahead of earlier statements that share
none of those keys, to join an earlier run of their own SQL: a batch of interleaved event
types then costs one `executemany` per kind of statement, not one round trip per event.
Undeclared statements keep their place and nothing crosses them. Statements that summarise
many rows (a project's open requests) are `defer`red: run once per flush, after its writes,
over every key the batch asked for. A row that many events of a batch change (a project's
row takes one change per event of its stream) is `merge`d: its changes fold into one per
row (`Fold`), written once at the end of the flush — a row rewritten twenty times in one
transaction leaves twenty versions of itself and their index entries behind, one change
leaves one.

Reads (`fetch`, `fetchrow`, `fetchval`) flush first, so a handler always reads its own and
earlier events' writes. A failing deferred write cannot say which event wrote it: it raises
`DeferredWriteFailed`, and the runner applies the batch again with plain statements to name
the event (see runner.py).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import asyncpg

# Flush on the way when this many writes wait: bounds the memory a huge batch holds.
MAX_PENDING = 5_000


class DeferredWriteFailed(Exception):
    """A buffered write failed when flushed (the cause); which event wrote it is unknown."""


class NeedsConnection(Exception):
    """A writer made without a connection (a batch prepared ahead) was asked to read or send."""


class Fold(Protocol):
    """A write whose changes to one row fold into one statement (`BatchWriter.merge`).

    `statement` gives the SQL that writes one row's folded change and its arguments (rows
    of one SQL go out together). It must read nothing that the queued statements of the
    same flush write other than its own row: it runs after all of them. Folds are written
    in the order of their first change in the flush: what one reads that another writes
    needs a deferred statement after both (as a project's recount of its requests does)."""

    def fold(self, earlier: Any | None, change: Any) -> Any:
        """`change` after `earlier` (None: the row's first change of the flush), as one."""

    def statement(self, key: Any, folded: Any) -> tuple[str, tuple[Any, ...]]:
        """The SQL writing the row `key`'s folded change, and its arguments."""


class Touch:
    """The fold of a statement that only moves a row's version and time, `query` being
    `UPDATE … SET version = $2, updated_at = $3 WHERE id = $1 AND version < $2`: the last
    change wins. Written after the flush's other writes it leaves what they would have
    left in event order: a later event's own write, already there, keeps its version and
    time (the guard); else the row takes the last touch's."""

    def __init__(self, query: str) -> None:
        self.query = query

    def fold(self, earlier: Any | None, change: Any) -> Any:
        return change

    def statement(self, key: Any, folded: Any) -> tuple[str, tuple[Any, ...]]:
        return self.query, (key, *folded)


class BatchWriter:
    """Stands in for an asyncpg connection inside a batch's transaction. It offers what
    handlers may use: `execute`, `executemany`, the `fetch*` methods and
    `copy_records_to_table`; everything runs in the order it was given. The rest is missing
    on purpose (`transaction()` above all: a savepoint would not cover deferred writes), so
    that a handler using it fails loudly, never writes out of order.

    `keyed` maps a statement's text to the (1-based) positions of the arguments that name
    every row it reads or writes (`Projection.keyed`); `scopes`, to the tables it names
    (`Projection.scopes`), so that its keys order it only among statements on those
    tables (unused unless it has every keyed statement's). `round_trips` counts the
    statements and `executemany` calls sent, for tests and tuning.

    Made with `conn=None` it only queues (a runner preparing its next batch's writes while
    the current one commits): no flush on the way, and a read raises NeedsConnection,
    until `attach` gives it the connection its batch's transaction is open on.
    """

    def __init__(
        self,
        conn: asyncpg.Connection[Any] | None,
        *,
        max_pending: int = MAX_PENDING,
        keyed: Mapping[str, tuple[int, ...]] | None = None,
        scopes: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self._conn = conn
        self.max_pending = max_pending
        self.keyed: Mapping[str, tuple[int, ...]] = keyed or {}
        # A keyed statement without a scope (declared after its runner took the scopes) is
        # ordered by bare keys, which never meet scoped ones: then none is scoped, as
        # Projection.scopes decides when a statement names none of the tables.
        self.scopes: Mapping[str, tuple[str, ...]] = (
            scopes if scopes and all(query in scopes for query in self.keyed) else {}
        )
        self.pending: list[tuple[str, tuple[Any, ...]]] = []
        self.deferred: dict[str, dict[Any, None]] = {}  # query -> its keys, in first-seen order
        self.merged: dict[Fold, dict[Any, Any]] = {}  # write -> row key -> its folded change
        self.round_trips = 0

    def attach(self, conn: asyncpg.Connection[Any]) -> BatchWriter:
        """Give a writer made without a connection the one to flush on; returns itself."""
        self._conn = conn
        return self

    @property
    def conn(self) -> asyncpg.Connection[Any]:
        """The connection writes go out on. Raises NeedsConnection before `attach`."""
        if self._conn is None:
            raise NeedsConnection("this batch's writes are being prepared without a connection")
        return self._conn

    async def execute(self, query: str, *args: Any) -> str:
        """Queue `query` for the next flush. Returns an empty status: it has not run yet (a
        handler that needs the row count must read it with a `fetch*` method)."""
        self.pending.append((query, args))
        if len(self.pending) >= self.max_pending and self._conn is not None:
            await self.flush()
        return ""

    async def executemany(self, query: str, args: Iterable[Sequence[Any]]) -> None:
        """Queue `query` once per row of `args`, like that many `execute` calls."""
        for row in args:
            await self.execute(query, *row)

    def defer(self, query: str, key: Any) -> None:
        """Run `query` once at the end of the next flush with every deferred `key` as its one
        argument (a list, without repeats)."""
        self.deferred.setdefault(query, {})[key] = None

    def merge(self, write: Fold, key: Any, change: Any) -> None:
        """Fold `change` into the row `key`'s change of the next flush, written at its end
        (before the deferred statements) with one `write.statement` per row."""
        rows = self.merged.setdefault(write, {})
        rows[key] = write.fold(rows.get(key), change)

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
        transaction is then aborted, and the queue is dropped). Raises NeedsConnection,
        keeping the queue, before `attach`."""
        conn = self.conn
        pending, self.pending = self.pending, []
        deferred, self.deferred = self.deferred, {}
        merged, self.merged = self.merged, {}
        try:
            for query, rows in self._runs(pending):
                await self._send(query, rows)
            for write, changes in merged.items():
                by_query: dict[str, list[tuple[Any, ...]]] = {}
                for key, folded in changes.items():
                    query, args = write.statement(key, folded)
                    by_query.setdefault(query, []).append(args)
                for query, rows in by_query.items():
                    await self._send(query, rows)
            for query, keys in deferred.items():
                self.round_trips += 1
                await conn.execute(query, list(keys))
        except Exception as exc:
            raise DeferredWriteFailed(f"a deferred write failed: {exc}") from exc

    def _runs(
        self, pending: list[tuple[str, tuple[Any, ...]]]
    ) -> list[tuple[str, list[tuple[Any, ...]]]]:
        """`pending` as runs of one SQL each, in an order that keeps every statement after
        the earlier ones it may depend on: those sharing one of its keys (on one of its
        tables, when scoped), and every undeclared statement (a barrier both ways). A keyed
        statement joins the first run of its SQL that comes after all of those (not only its
        SQL's latest run), so that statements of many rows, each row's in its own order,
        pack into about as many runs as the longest of those orders."""
        runs: list[tuple[str, list[tuple[Any, ...]]]] = []
        runs_of: dict[str, list[int]] = {}  # query -> the indexes of its runs, ascending
        last_touch: dict[Any, int] = {}  # key -> index of the latest run that used it
        floor = -1  # the latest barrier's run: nothing moves ahead of it
        keyed, scopes = self.keyed, self.scopes
        for query, args in pending:
            positions = keyed.get(query)
            mine = runs_of.get(query)
            if positions is None:
                if mine is None or mine[-1] < len(runs) - 1:
                    mine = _new_run(runs, runs_of, query)
                runs[mine[-1]][1].append(args)
                floor = mine[-1]
                continue
            # (The common case, one key on one table, without the lists the general one
            # builds: this loop runs once per statement of a batch.)
            scope = scopes.get(query)
            if len(positions) == 1 and (scope is None or len(scope) == 1):
                key = args[positions[0] - 1]
                if scope is not None:
                    key = (scope[0], key)
                earliest = last_touch.get(key, -1)
                keys: tuple[Any, ...] = (key,)
            else:
                values = [args[p - 1] for p in positions]
                keys = (
                    tuple(values) if scope is None else tuple((t, v) for t in scope for v in values)
                )
                earliest = max((last_touch.get(k, -1) for k in keys), default=-1)
            # Its own run may hold a statement of its keys (rows run in order); any other
            # run must come after theirs and after the latest barrier.
            lowest = max(earliest, floor + 1)
            if mine is None or mine[-1] < lowest:
                index = _new_run(runs, runs_of, query)[-1]
            elif mine[0] >= lowest:
                index = mine[0]
            else:
                index = mine[bisect_left(mine, lowest)]
            runs[index][1].append(args)
            for k in keys:
                last_touch[k] = index
        return runs

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


def _new_run(
    runs: list[tuple[str, list[tuple[Any, ...]]]], runs_of: dict[str, list[int]], query: str
) -> list[int]:
    """Open a run of `query` at the end of `runs`; returns `query`'s run indexes."""
    runs.append((query, []))
    mine = runs_of.setdefault(query, [])
    mine.append(len(runs) - 1)
    return mine


async def defer(conn: Any, query: str, key: Any) -> None:
    """`BatchWriter.defer` on a writer; on a plain connection (the runner's statement-by-
    statement retry) `query` runs at once for `key` alone."""
    if isinstance(conn, BatchWriter):
        conn.defer(query, key)
    else:
        await conn.execute(query, [key])


async def merge(conn: Any, write: Fold, key: Any, change: Any) -> None:
    """`BatchWriter.merge` on a writer; on a plain connection (the runner's statement-by-
    statement retry) the change is written at once, alone."""
    if isinstance(conn, BatchWriter):
        conn.merge(write, key, change)
    else:
        query, args = write.statement(key, write.fold(None, change))
        await conn.execute(query, *args)
