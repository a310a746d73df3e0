"""`cso projections rebuild`: a projection rebuilt beside the live one and switched in, while
the session's supervisor keeps running it live, writers keep appending and readers keep
reading."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import asyncpg
import pytest

from cso.audit.replay_check import replay_check
from cso.eventstore import Codec
from cso.projections import chains, enterprises, officers
from cso.projections.base import Projection
from cso.projections.project_queries import PROJECTS
from cso.projections.rebuild import RebuildRefused, rebuild, rebuild_name
from tests.integration.projections.factories import new_chain
from tests.integration.projections.world import World

TABLE_OID = "SELECT 'rm_chains'::regclass::oid"
CHAIN_IDS = "SELECT id FROM rm_chains WHERE id = ANY($1::uuid[])"


async def test_a_rebuild_switches_in_a_copy_holding_every_event_while_reads_and_writes_go_on(
    world: World, database_url: str, codec: Codec
) -> None:
    await world.save(*(new_chain() for _ in range(5)))
    live_table = await world.pool.fetchval(TABLE_OID)
    notified: list[str] = []
    listening: asyncpg.Connection[Any] = await asyncpg.connect(database_url)
    await listening.add_listener("cso_projections", lambda *note: notified.append(note[3]))
    appended: list[Any] = []
    answers: list[int] = []
    stop = asyncio.Event()

    async def keep_reading() -> None:
        while not stop.is_set():
            answers.append(await world.pool.fetchval("SELECT count(*) FROM rm_chains"))
            await asyncio.sleep(0.005)

    async def keep_writing() -> None:
        while not stop.is_set():
            appended.append(new_chain())
            await world.append(appended[-1])
            await asyncio.sleep(0.01)

    busy = [asyncio.create_task(keep_reading()), asyncio.create_task(keep_writing())]
    try:
        positions: list[int] = []
        done = await rebuild(
            database_url,
            chains.PROJECTION,
            codec,
            progress=lambda position, _: positions.append(position),
            batch_size=20,  # small batches: more chances for writes to land between them
        )
    finally:
        stop.set()
        await asyncio.gather(*busy)
    after = new_chain()
    await world.save(after)  # the live runner carries on, into the switched-in table
    await listening.close()

    assert await world.pool.fetchval(TABLE_OID) != live_table, "the table was switched"
    # However fast the rebuild ran, every read during it answered, never an empty table.
    assert answers and all(n >= 5 for n in answers), "queries answered throughout"
    ids = [c.id for c in [*appended, after]]
    assert {r["id"] for r in await world.pool.fetch(CHAIN_IDS, ids)} == set(ids)
    assert positions == sorted(positions) and done.events > 0
    assert rebuild_name("chains") not in notified, "the shadow runner woke no one"
    # The switched-in table equals a replay of the log, row for row: each event applied once.
    assert (await replay_check(database_url, [chains.PROJECTION], codec)).ok
    leftovers = await world.pool.fetchval(
        "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'cso_re%_chains'"
    )
    assert leftovers == 0


async def test_a_second_rebuild_of_a_projection_is_refused_while_one_runs(
    database_url: str, codec: Codec
) -> None:
    holder: asyncpg.Connection[Any] = await asyncpg.connect(database_url)
    try:
        from cso.projections.lock import lock_key

        assert await holder.fetchval("SELECT pg_try_advisory_lock($1)", lock_key("rebuild:chains"))
        with pytest.raises(RebuildRefused, match="already running"):
            await rebuild(database_url, chains.PROJECTION, codec)
    finally:
        await holder.close()


async def test_a_projection_declaring_a_table_that_does_not_exist_is_refused(
    database_url: str, codec: Codec
) -> None:
    with pytest.raises(RebuildRefused, match="not a table here"):
        await rebuild(database_url, Projection("ghost", tables=("rm_nothing_here",)), codec)


async def test_a_page_of_projects_prepared_before_a_rebuild_still_answers_in_a_transaction(
    database_url: str, codec: Codec
) -> None:
    # A rebuild swaps rm_officers and rm_enterprises for their copies; a page statement that
    # returned their row types would be refused inside a transaction once prepared before.
    params = [None] * 6 + [date.today(), None]
    conn: asyncpg.Connection[Any] = await asyncpg.connect(database_url)

    async def page() -> None:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            await PROJECTS.fetch(conn, params, "NAME:ASC", 20, None, [True, True, True])

    try:
        await page()
        await rebuild(database_url, officers.PROJECTION, codec)
        await rebuild(database_url, enterprises.PROJECTION, codec)
        await page()
    finally:
        await conn.close()


async def test_a_rebuilt_table_keeps_the_live_table_s_storage_parameters(
    database_url: str, codec: Codec, pool: asyncpg.Pool[Any]
) -> None:
    reloptions = "SELECT reloptions FROM pg_class WHERE oid = 'rm_chains'::regclass"
    await pool.execute("ALTER TABLE rm_chains SET (fillfactor = 60)")
    try:
        await rebuild(database_url, chains.PROJECTION, codec)

        assert await pool.fetchval(reloptions) == ["fillfactor=60"]
    finally:
        await pool.execute("ALTER TABLE rm_chains RESET (fillfactor)")
