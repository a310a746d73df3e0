"""The response cache: a query's encoded answer, served again while the database is unchanged.

Exact, also across processes: an entry records the state of the database as it was read
just before its answer was computed (`SELECT_STATE`), and is served again only while a fresh
read of that state gives the same text. The state is what anything a query reads can change
with, all of it written in transactions that write one of these:

- each projection's checkpoint row (position, and `updated_at`, which every batch's
  transaction sets): read models change only in the transaction that moves it;
- the log, as two numbers: the newest event below the watermark (the oldest transaction
  still running anywhere, `pg_snapshot_xmin`), and how many events lie at or above it. An
  event that commits between two reads lies above the first read's watermark (transactions
  below it had ended), so either it is counted above the second's too — the count grows — or
  the watermark passed it, and the newest event below the watermark moved. Keys of personal
  data change with events, in the append's transaction (migration 0013's trigger on its
  reservations).

So when the text is unchanged nothing was committed that the answer could have read; when
anything was, the next request misses. Writes elsewhere on the server (other databases) do
not invalidate. The price is one small statement per round of concurrent queries (SharedRead:
a query arriving while one runs waits for the next), and invalidation on every commit
of this database, also of tables the query never read: exact, not fine-grained. While an
old transaction holds the watermark far back (MAX_EVENTS_ABOVE_WATERMARK), queries bypass
the cache rather than count ever more events.

The key: the document's hash, the operation name, the variables, the caller's identity
(role, id, name, department: what they may see, masks included) and the district's date
("today" decides due dates and overdue). Two callers share an entry only if they are the
same person with the same rights.

Not cached: mutations and subscriptions; responses with any error; the audit queries (their
answers carry times of their own); and responses that recorded a personal-data read (each
such read must be logged, so they run every time). A consistency token is honoured before the
lookup: the request waits as ReadYourWrites would, then reads the snapshot, which therefore
includes the token's event when it was reached.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import orjson
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse

from cso.graphql.context import Context
from cso.metrics import Metrics
from cso.services.policy import AUDIT_QUERIES

SELECT_STATE = """
WITH w AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
SELECT concat_ws(
  '|',
  coalesce((SELECT string_agg(concat_ws(':', name, transaction_id, position, updated_at), ','
                              ORDER BY name)
              FROM projection_checkpoints), '-'),
  coalesce((SELECT concat_ws(':', e.transaction_id, e.position) FROM events e, w
             WHERE e.transaction_id < w.xmin
             ORDER BY e.transaction_id DESC, e.position DESC LIMIT 1), '-'),
  (SELECT count(*) FROM (SELECT 1 FROM events e, w WHERE e.transaction_id >= w.xmin
                          LIMIT $1) above))
FROM w
"""
# Counting the events above the watermark costs as many as there are: past this many (an old
# transaction held open somewhere on the server, say a long backup), the cache steps aside.
MAX_EVENTS_ABOVE_WATERMARK = 10_000
# Documents whose cacheability has been decided (parsed once each), by hash and operation.
KNOWN_DOCUMENTS = 1024
MAX_DOCUMENT_TOKENS = 4000


@dataclass(frozen=True, slots=True)
class Entry:
    snapshot: str  # the database's state (SELECT_STATE) before the answer was computed
    data: bytes  # the answer's `data`, encoded
    operation: str  # what the request log and metrics call it


class ResponseCache:
    """Encoded answers by key, least recently used dropped past `max_entries` or `max_bytes`."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max(max_entries, 1)
        self.max_bytes = max(max_bytes, 1)
        self.size_bytes = 0
        self._entries: OrderedDict[bytes, Entry] = OrderedDict()
        self._cacheable: OrderedDict[tuple[str, str | None], bool] = OrderedDict()
        self._running: dict[tuple[bytes, str], asyncio.Future[Entry | None]] = {}
        self.states = SharedRead()

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def key(
        document_hash: str, operation_name: str | None, variables: Any, context: Context
    ) -> bytes | None:
        """The entry's key for this request, or None when it must not be cached at all (a
        credential that was refused, or one that has expired)."""
        if context.auth_problem is not None:
            return None
        if context.expires_at is not None and time.time() >= context.expires_at:
            return None
        viewer = context.maybe_viewer
        identity = (
            None if viewer is None else [viewer.role.value, viewer.id, viewer.name, viewer.dept]
        )
        today = context.runtime.today().isoformat()
        parts = [document_hash, operation_name, variables, identity, today]
        try:
            return orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # variables JSON does not hold (integers past 64 bits, …)
            return None

    def get(self, key: bytes) -> Entry | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: bytes, entry: Entry, metrics: Metrics) -> None:
        """Keep `entry` (replacing the key's older one), then evict down to the caps."""
        old = self._entries.pop(key, None)
        if old is not None:
            self.size_bytes -= len(old.data) + len(key)
        if len(entry.data) + len(key) <= self.max_bytes:
            self._entries[key] = entry
            self.size_bytes += len(entry.data) + len(key)
        while len(self._entries) > self.max_entries or self.size_bytes > self.max_bytes:
            dropped_key, dropped = self._entries.popitem(last=False)
            self.size_bytes -= len(dropped.data) + len(dropped_key)
            metrics.response_cache_evictions.inc()
        metrics.response_cache_bytes.set(self.size_bytes)

    def cacheable(self, document_hash: str, text: str, operation_name: str | None) -> bool:
        """Whether the document's operation may be cached: a query reading no audit field.
        Decided once per document and operation name (the text is parsed on first sight)."""
        known = (document_hash, operation_name)
        decided = self._cacheable.get(known)
        if decided is None:
            decided = _is_cacheable(text, operation_name)
            self._cacheable[known] = decided
            while len(self._cacheable) > KNOWN_DOCUMENTS:
                self._cacheable.popitem(last=False)
        return decided

    @contextlib.contextmanager
    def computing(self, key: bytes, snapshot: str) -> Iterator[asyncio.Future[Entry | None] | None]:
        """The answer another request is computing for this key and snapshot (await it), or
        None when this request is the one to compute it: then the block must run to its end,
        which hands the entry it `put` (or None) to those that waited."""
        running = self._running.get((key, snapshot))
        if running is not None:
            yield running
            return
        future: asyncio.Future[Entry | None] = asyncio.get_running_loop().create_future()
        self._running[(key, snapshot)] = future
        try:
            yield None
        finally:
            del self._running[(key, snapshot)]
            if not future.done():
                entry = self._entries.get(key)
                future.set_result(entry if entry and entry.snapshot == snapshot else None)


class SharedRead:
    """One read of the database's state serves every request that arrived before it began.

    At most one read runs at a time; a request arriving meanwhile waits for the next read,
    which begins after the running one ends, so after the request arrived: whatever was
    committed before a request arrived is in the state it is given, as if it had read alone.
    Under load a round of concurrent queries pays one state read instead of one each.
    """

    def __init__(self) -> None:
        self._running: asyncio.Future[str | None] | None = None
        self._next: asyncio.Future[str | None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def read(self, fetch: Callable[[], Awaitable[str | None]]) -> str | None:
        """The state from a read that began after this call; `fetch` reads it (any caller's
        will do: they read the same database). Raises what that read raised."""
        loop = asyncio.get_running_loop()
        if self._running is None:
            self._running = loop.create_future()
            self._start(fetch, self._running)
            return await asyncio.shield(self._running)
        if self._next is None:
            self._next = loop.create_future()
        return await asyncio.shield(self._next)

    def _start(
        self, fetch: Callable[[], Awaitable[str | None]], future: asyncio.Future[str | None]
    ) -> None:
        task = asyncio.create_task(self._run(fetch, future))
        self._tasks.add(task)  # held until done: the loop keeps only weak references
        task.add_done_callback(self._tasks.discard)

    async def _run(
        self, fetch: Callable[[], Awaitable[str | None]], future: asyncio.Future[str | None]
    ) -> None:
        try:
            future.set_result(await fetch())
        except Exception as error:  # handed to every waiter, each of which raises it
            future.set_exception(error)
        finally:
            following, self._next = self._next, None
            self._running = following
            if following is not None:
                self._start(fetch, following)


async def database_snapshot(context: Context) -> str | None:
    """The database's state now, as text (SELECT_STATE; see the module's docstring); None
    when more than MAX_EVENTS_ABOVE_WATERMARK events lie above the watermark."""
    limit = MAX_EVENTS_ABOVE_WATERMARK + 1
    state = str(await context.runtime.read_pool.fetchval(SELECT_STATE, limit))
    return None if state.endswith(f"|{limit}") else state


def _is_cacheable(text: str, operation_name: str | None) -> bool:
    try:
        document = parse(text, no_location=True, max_tokens=MAX_DOCUMENT_TOKENS)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [op for op in operations if op.name and op.name.value == operation_name]
    if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
        return False
    # Root fields only: the audit queries are all root fields (fragments at the root are
    # refused as not cacheable rather than followed).
    selections = operations[0].selection_set.selections
    if not all(isinstance(selection, FieldNode) for selection in selections):
        return False
    return not any(cast(FieldNode, s).name.value in AUDIT_QUERIES for s in selections)
