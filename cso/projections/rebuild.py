"""`cso projections rebuild NAME`: a projection rebuilt beside the live one, then switched in.

Blue/green within the database. The rebuild makes a shadow schema holding an empty copy of
each of the projection's tables (`LIKE … INCLUDING ALL`: columns, defaults, constraints,
indexes; the live table's grants are granted alike) and runs the projection's own handlers
from the start of the log on a runner whose search path puts that schema first, under a
checkpoint and lock of its own (`NAME~rebuild`) and without NOTIFY: the live runner goes on
applying new events and waking readers meanwhile, and queries keep reading the live tables.

The switch is one transaction. It locks the live tables (ACCESS EXCLUSIVE: it waits for the
live runner's batch in flight, then holds back its next one and every reader) and the live
checkpoint row, catches the shadow up to at least that checkpoint, moves the live tables
out to a retired schema and the shadow ones in under their names (their indexes renamed to
the live ones' names), and hands the live projection the shadow's checkpoint. Readers blocked
meanwhile then read the new tables; the live runner's held batch fails its checkpoint
compare-and-set and is rolled back, and the runner carries on from the new checkpoint. So no
event appended during the rebuild is lost, none is applied twice, and subscriptions — which
follow the log and wait on the live checkpoint only — hear each event once.

Why table locks rather than the projection's advisory lock: the live runner holds that lock
for as long as its process runs, so waiting for it would wait for a shutdown.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from cso.eventstore import Checkpoint, Codec, EventStore, Listener
from cso.projections import rebuild_sql as sql
from cso.projections.base import Projection
from cso.projections.lock import lock_key
from cso.projections.runner import ProjectionRunner

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
SWITCH_ATTEMPTS = 3  # a deadlock with the live runner's batch is retried

# Called with the position the shadow has reached and the log's last position.
Progress = Callable[[int, int], None]

log = logging.getLogger("cso.projections")


class RebuildRefused(Exception):
    """The rebuild cannot start: an unknown or badly declared projection, or another
    rebuild of it running. Nothing was changed."""


@dataclass(frozen=True, slots=True)
class Rebuilt:
    name: str
    checkpoint: Checkpoint  # the live projection's checkpoint after the switch
    events: int  # the log's events up to it
    seconds: float  # from the start to the switch's commit

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def rebuild_name(name: str) -> str:
    """The shadow runner's checkpoint and lock name."""
    return f"{name}~rebuild"


async def rebuild(
    url: str,
    projection: Projection,
    codec: Codec,
    *,
    progress: Progress | None = None,
    batch_size: int = 2000,
    timeout: float = 6 * 3600.0,
) -> Rebuilt:
    """Rebuild `projection` beside the live one and switch to it (see the module). Raises
    RebuildRefused before changing anything; on any later failure the live projection is
    left as it was and the shadow schema is dropped."""
    name = projection.name
    if not projection.tables or not all(_NAME.match(t) for t in projection.tables):
        raise RebuildRefused(f"projection {name} declares no tables it could rebuild")
    suffix = re.sub(r"[^a-z0-9_]", "_", name.lower())
    shadow, retired = f"cso_rebuild_{suffix}", f"cso_retired_{suffix}"
    guard: asyncpg.Connection[Any] = await asyncpg.connect(url)
    try:
        if not await guard.fetchval(sql.TRY_LOCK, lock_key(f"rebuild:{name}")):
            raise RebuildRefused(f"a rebuild of {name} is already running")
        live = await _live_schemas(guard, projection.tables)
        started = time.perf_counter()
        await _prepare(guard, name, shadow, retired, live)
        path = f'"{shadow}", {await guard.fetchval("SHOW search_path")}'
        last = int(await guard.fetchval(sql.LAST_POSITION))
        listener = Listener(url)
        await listener.start()
        pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
        try:

            def committed(_: str, checkpoint: Checkpoint) -> None:
                if progress is not None:
                    progress(checkpoint.position, max(last, checkpoint.position))

            runner = ProjectionRunner(
                projection,
                database_url=url,
                store=EventStore(pool),
                codec=codec,
                listener=listener,
                batch_size=batch_size,
                on_commit=committed,
                checkpoint_name=rebuild_name(name),
                search_path=path,
                notify=False,
            )
            # Twice: the second pass takes what was appended during the first, so that the
            # switch (which holds readers back) has little left to do.
            for _ in range(2):
                await runner.catch_up_to(timeout=timeout)
                last = int(await guard.fetchval(sql.LAST_POSITION))
            for table in projection.tables:
                await guard.execute(sql.ANALYZE.format(schema=shadow, table=table))
            checkpoint = await _switch(guard, runner, shadow, retired, live, timeout)
        finally:
            await pool.close()
            await listener.stop()
        seconds = time.perf_counter() - started
        upto = (checkpoint.transaction_id, checkpoint.position)
        events = int(await guard.fetchval(sql.COUNT_UPTO, *upto))
        return Rebuilt(name, checkpoint, events, seconds)
    finally:
        cleanup: list[tuple[str, tuple[str, ...]]] = [
            (sql.DROP_SCHEMA.format(schema=schema), ()) for schema in (shadow, retired)
        ]
        cleanup.append((sql.DELETE_CHECKPOINT, (rebuild_name(name),)))
        for statement, args in cleanup:
            try:
                await guard.execute(statement, *args)
            except (asyncpg.PostgresError, OSError) as exc:
                # Each step on its own: the next rebuild of this projection drops leftovers.
                log.warning("rebuild of %s: a cleanup step failed and is left: %s", name, exc)
        await guard.close()


async def _live_schemas(conn: asyncpg.Connection[Any], tables: tuple[str, ...]) -> dict[str, str]:
    """Each table's schema; RebuildRefused when one is not a table here."""
    found: dict[str, str] = {}
    for table in tables:
        schema = await conn.fetchval(sql.TABLE_SCHEMA, table)
        if schema is None or not _NAME.match(schema):
            raise RebuildRefused(f"the projection declares {table!r}, which is not a table here")
        found[table] = schema
    return found


async def _prepare(
    conn: asyncpg.Connection[Any], name: str, shadow: str, retired: str, live: dict[str, str]
) -> None:
    """Empty copies of the live tables in `shadow`, with their grants; leftovers of an
    interrupted rebuild dropped."""
    async with conn.transaction():
        for schema in (shadow, retired):
            await conn.execute(sql.DROP_SCHEMA.format(schema=schema))
        await conn.execute(sql.DELETE_CHECKPOINT, rebuild_name(name))
        await conn.execute(sql.CREATE_SCHEMA.format(schema=shadow))
        for table, schema in live.items():
            await conn.execute(sql.SHADOW_TABLE.format(shadow=shadow, live=schema, table=table))
            options = await conn.fetchval(sql.STORAGE_OPTIONS, f'"{schema}"."{table}"')
            if options:
                await conn.execute(
                    sql.SET_STORAGE.format(schema=shadow, table=table, options=options)
                )
            for grant in await conn.fetch(sql.GRANTS, f'"{schema}"."{table}"'):
                await conn.execute(
                    sql.GRANT.format(
                        privilege=grant["privilege_type"],
                        schema=shadow,
                        table=table,
                        grantee=grant["grantee"],
                        option=" WITH GRANT OPTION" if grant["is_grantable"] else "",
                    )
                )


async def _switch(
    conn: asyncpg.Connection[Any],
    runner: ProjectionRunner,
    shadow: str,
    retired: str,
    live: dict[str, str],
    timeout: float,
) -> Checkpoint:
    """The switch (see the module); the checkpoint the live projection carries on from."""
    tables = ", ".join(f'"{schema}"."{table}"' for table, schema in live.items())
    for attempt in range(1, SWITCH_ATTEMPTS + 1):
        try:
            async with conn.transaction():
                await conn.execute(sql.LOCK_TABLES.format(tables=tables))
                row = await conn.fetchrow(sql.LIVE_CHECKPOINT, runner.projection.name)
                held = Checkpoint() if row is None else Checkpoint(row[0], row[1])
                reached = await runner.catch_up_to(held, timeout=timeout)
                await conn.execute(sql.CREATE_SCHEMA.format(schema=retired))
                for table, schema in live.items():
                    names = await _index_names(conn, schema, table)
                    out = sql.MOVE_TABLE.format(schema=schema, table=table, to=retired)
                    await conn.execute(out)
                    await conn.execute(sql.MOVE_TABLE.format(schema=shadow, table=table, to=schema))
                    await _rename_indexes(conn, schema, table, names)
                await conn.execute(
                    sql.TAKE_CHECKPOINT,
                    runner.projection.name,
                    reached.transaction_id,
                    reached.position,
                )
                await conn.execute(sql.DELETE_CHECKPOINT, runner.name)
                return reached
        except asyncpg.DeadlockDetectedError:
            if attempt == SWITCH_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _index_shape(definition: str) -> str:
    """An index's definition without its name and table: `UNIQUE … USING btree (id)`."""
    head, _, rest = definition.partition(" ON ")
    unique = "UNIQUE " if head.startswith("CREATE UNIQUE") else ""
    return unique + rest.split(" ", 1)[1]


async def _index_names(conn: asyncpg.Connection[Any], schema: str, table: str) -> dict[str, str]:
    """The live table's index names by shape."""
    rows = await conn.fetch(sql.INDEXES, f'"{schema}"."{table}"')
    return {_index_shape(r["definition"]): r["name"] for r in rows}


async def _rename_indexes(
    conn: asyncpg.Connection[Any], schema: str, table: str, names: dict[str, str]
) -> None:
    """Give the switched-in table's indexes the names the live ones had (migrations name them)."""
    for row in await conn.fetch(sql.INDEXES, f'"{schema}"."{table}"'):
        wanted = names.get(_index_shape(row["definition"]))
        if wanted is not None and wanted != row["name"]:
            await conn.execute(sql.RENAME_INDEX.format(schema=schema, old=row["name"], new=wanted))


__all__ = ["Progress", "RebuildRefused", "Rebuilt", "rebuild", "rebuild_name"]
