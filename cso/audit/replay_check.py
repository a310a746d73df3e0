"""`cso replay --check`: rebuild every projection from the log into scratch tables and
compare them with the live read models, row by row.

How: one connection opens a repeatable-read snapshot and reads each projection's checkpoint
in it. A scratch schema gets an unlogged copy of each projection's declared `tables` (same
columns, constraints and indexes). Each projection is then replayed on a connection of its
own, all at once, whose search path puts the scratch schema first (so the handlers' own SQL
writes there): the log's events of the types it handles, up to its own checkpoint, in commit
order, through the runner's BatchWriter, as its runner would. Last, every table is compared
by primary key: the live rows as of the snapshot against the replayed ones. The scratch
schema is dropped at the end, whatever happens.

Time-dependent columns: none today. Every read-model column is written from an event (its
data, its recorded_at, or what the domain decided from them); no handler reads the clock,
and "today"-relative figures (overdue, due soon) are computed by queries, not stored. Should a
projection ever store a time of its own, name its columns in TIME_DEPENDENT and they are
left out of the comparison.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import asyncpg
import orjson

from cso.audit import sql
from cso.audit.verify import Advance
from cso.eventstore import Checkpoint, Codec, RecordedEvent
from cso.projections import rebuild_sql
from cso.projections.base import Projection
from cso.projections.batch import BatchWriter

# table -> columns left out of the comparison (documented above: none today).
TIME_DEPENDENT: dict[str, frozenset[str]] = {}

BATCH = 5000
SHOWN_PER_TABLE = 20
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Difference:
    table: str
    key: str
    live: dict[str, Any] | None  # None: the replay has a row the live table lacks
    replayed: dict[str, Any] | None  # None: the live table has a row the replay lacks

    def describe(self) -> str:
        if self.live is None:
            return f"{self.table} {self.key}: missing from the live table"
        if self.replayed is None:
            return f"{self.table} {self.key}: in the live table, not in the replay"
        columns = [c for c in self.live if self.live[c] != self.replayed.get(c)]
        changes = ", ".join(
            f"{c}: live {self.live[c]!r}, replayed {self.replayed.get(c)!r}" for c in columns
        )
        return f"{self.table} {self.key}: {changes}"


@dataclass(slots=True)
class ReplayCheck:
    events: int = 0  # the log's events up to the furthest checkpoint
    applied: int = 0  # events applied, summed over the projections
    seconds: float = 0.0  # the replay alone, comparison excluded
    rows: int = 0  # live rows compared
    differences: list[Difference] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # differences per table

    @property
    def ok(self) -> bool:
        return not self.counts

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


async def replay_check(
    url: str,
    projections: Sequence[Projection],
    codec: Codec,
    advance: Advance | None = None,
) -> ReplayCheck:
    """Replay `projections` into scratch tables and compare them with the live ones.
    Raises ValueError when a declared table is missing or not a plain name."""
    schema = f"cso_replay_{uuid.uuid4().hex[:12]}"
    tables = [t for p in projections for t in p.tables]
    live: asyncpg.Connection[Any] = await asyncpg.connect(url)
    scratch: asyncpg.Connection[Any] = await asyncpg.connect(url)
    try:
        async with live.transaction(isolation="repeatable_read", readonly=True):
            await live.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
            stored = {r[0]: Checkpoint(int(r[1]), r[2]) for r in await live.fetch(sql.CHECKPOINTS)}
            upto = {p.name: stored.get(p.name, Checkpoint()) for p in projections}
            end = max(upto.values(), default=Checkpoint())
            outcome = ReplayCheck(events=await live.fetchval(rebuild_sql.COUNT_UPTO, *_pair(end)))
            await _scratch_tables(scratch, schema, tables)
            path = f'"{schema}", {await live.fetchval("SHOW search_path")}'
            settings = {"search_path": path}
            conns = await asyncio.gather(
                *(asyncpg.connect(url, server_settings=settings) for _ in projections)
            )
            try:
                started = time.perf_counter()
                applied = await asyncio.gather(
                    *(
                        _replay(conn, p, upto[p.name], codec, advance)
                        for conn, p in zip(conns, projections, strict=True)
                    )
                )
                outcome.seconds = time.perf_counter() - started
            finally:
                for conn in conns:
                    await conn.close()
            outcome.applied = sum(applied)
            for table in tables:
                await _compare(live, scratch, schema, table, outcome)
        return outcome
    finally:
        with contextlib.suppress(asyncpg.PostgresError):
            await scratch.execute(sql.DROP_SCHEMA.format(schema=schema))
        await scratch.close()
        await live.close()


def _pair(place: Checkpoint) -> tuple[int, int]:
    return place.transaction_id, place.position


async def _scratch_tables(conn: asyncpg.Connection[Any], schema: str, tables: list[str]) -> None:
    for table in tables:
        if not _NAME.match(table) or not await conn.fetchval(sql.TABLE_EXISTS, table):
            raise ValueError(f"a projection declares {table!r}, which is not a table here")
    async with conn.transaction():
        await conn.execute(sql.CREATE_SCHEMA.format(schema=schema))
        for table in tables:
            await conn.execute(sql.SCRATCH_TABLE.format(schema=schema, table=table))


async def _replay(
    conn: asyncpg.Connection[Any],
    projection: Projection,
    upto: Checkpoint,
    codec: Codec,
    advance: Advance | None,
) -> int:
    """Apply the log up to `upto` to `projection`'s scratch tables (first in `conn`'s search
    path); how many events."""
    types, scopes = list(projection.handlers), projection.scopes()
    after, applied = Checkpoint(), 0
    while rows := await conn.fetch(sql.REPLAY_BATCH, *_pair(after), *_pair(upto), types, BATCH):
        async with conn.transaction():
            writer = BatchWriter(conn, keyed=projection.keyed, scopes=scopes)
            for row in rows:
                recorded = _recorded(row)
                event = codec.decode(
                    recorded.stream_id, recorded.version, recorded.type, row["data"]
                )
                handler = projection.handlers[recorded.type]
                await handler(cast("asyncpg.Connection[Any]", writer), event, recorded)
            await writer.flush()
        applied += len(rows)
        after = Checkpoint(int(rows[-1]["transaction_id"]), rows[-1]["position"])
        if advance is not None:
            advance(len(rows))
    return applied


def _recorded(row: asyncpg.Record) -> RecordedEvent:
    return RecordedEvent(
        position=row["position"],
        transaction_id=int(row["transaction_id"]),
        stream_id=row["stream_id"],
        stream_type=row["stream_type"],
        version=row["version"],
        type=row["type"],
        data=orjson.loads(row["data"]),
        metadata=orjson.loads(row["metadata"]),
        recorded_at=row["recorded_at"],
        hash=bytes(row["hash"]),
    )


async def _compare(
    live: asyncpg.Connection[Any],
    scratch: asyncpg.Connection[Any],
    schema: str,
    table: str,
    outcome: ReplayCheck,
) -> None:
    key_columns = [r[0] for r in await live.fetch(sql.PRIMARY_KEY, table)]
    ignored = TIME_DEPENDENT.get(table, frozenset())
    live_rows = _keyed(await live.fetch(sql.ALL_ROWS.format(table=table)), key_columns, ignored)
    scratch_rows = await scratch.fetch(sql.SCRATCH_ROWS.format(schema=schema, table=table))
    replayed = _keyed(scratch_rows, key_columns, ignored)
    outcome.rows += sum(len(rows) for rows in live_rows.values())
    found = 0
    for key in sorted(live_rows.keys() | replayed.keys()):
        here, there = live_rows.get(key, []), replayed.get(key, [])
        for index in range(max(len(here), len(there))):
            a = here[index] if index < len(here) else None
            b = there[index] if index < len(there) else None
            if a != b:
                found += 1
                if found <= SHOWN_PER_TABLE:
                    outcome.differences.append(Difference(table, key, a, b))
    if found:
        outcome.counts[table] = found


def _keyed(
    rows: list[asyncpg.Record], key_columns: list[str], ignored: frozenset[str]
) -> dict[str, list[dict[str, Any]]]:
    """Rows by their primary key's text (the whole row's, for a table without one, so that
    equal rows pair up); each row without the ignored columns."""
    keyed: dict[str, list[dict[str, Any]]] = {}
    for record in rows:
        row = {k: v for k, v in record.items() if k not in ignored}
        columns = key_columns or sorted(row)
        key = "(" + ", ".join(f"{c}={row[c]}" for c in columns) + ")"
        keyed.setdefault(key, []).append(row)
    for same in keyed.values():
        same.sort(key=repr)
    return keyed
