"""`cso replay --check` over the demo district: the read models equal a replay of the log,
and a corrupted read-model row is caught and named."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from typer.testing import CliRunner

from cso.audit.replay_check import replay_check
from cso.cli import app
from cso.domain.enums import DOMAIN_ENUMS
from cso.eventstore import Codec
from cso.projections import ALL_PROJECTIONS
from tests.integration.seed.conftest import Seeded

ANY_PROJECT = "SELECT id, name FROM rm_projects ORDER BY id LIMIT 1"
RENAME = "UPDATE rm_projects SET name = $2 WHERE id = $1"


@asynccontextmanager
async def renamed_project(pool: asyncpg.Pool[Any]) -> AsyncIterator[str]:
    """One project's read-model row with a wrong name, put right afterwards (the seeded
    database is shared by the package's tests)."""
    row = await pool.fetchrow(ANY_PROJECT)
    assert row is not None
    await pool.execute(RENAME, row["id"], "篡改的名称")
    try:
        yield str(row["id"])
    finally:
        await pool.execute(RENAME, row["id"], row["name"])


async def test_the_demo_read_models_equal_a_replay_of_the_log(
    seeded: Seeded,
    projected: asyncpg.Pool[Any],
) -> None:
    found = await replay_check(seeded.url, ALL_PROJECTIONS, Codec(DOMAIN_ENUMS))
    assert found.ok, [d.describe() for d in found.differences]
    assert found.events > 1000
    assert found.rows > 1000


async def test_a_corrupted_read_model_row_is_caught_and_named(
    seeded: Seeded,
    projected: asyncpg.Pool[Any],
) -> None:
    async with renamed_project(projected) as project_id:
        found = await replay_check(seeded.url, ALL_PROJECTIONS, Codec(DOMAIN_ENUMS))
    assert found.counts == {"rm_projects": 1}
    (difference,) = found.differences
    assert difference.table == "rm_projects"
    assert project_id in difference.key
    assert "name: live '篡改的名称'" in difference.describe()


async def test_a_missing_row_is_caught_too(
    seeded: Seeded,
    projected: asyncpg.Pool[Any],
) -> None:
    # Deleted for real (the check reads on connections of its own), put back afterwards.
    row = await projected.fetchrow("SELECT * FROM rm_chains ORDER BY id LIMIT 1")
    assert row is not None
    await projected.execute("DELETE FROM rm_chains WHERE id = $1", row["id"])
    try:
        found = await replay_check(seeded.url, ALL_PROJECTIONS, Codec(DOMAIN_ENUMS))
    finally:
        columns = list(row.keys())
        placeholders = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
        await projected.execute(
            f"INSERT INTO rm_chains ({', '.join(columns)}) VALUES ({placeholders})", *row.values()
        )
    assert found.counts == {"rm_chains": 1}
    assert found.differences[0].describe().endswith("missing from the live table")


async def test_the_command_exits_non_zero_and_prints_the_difference(
    seeded: Seeded,
    projected: asyncpg.Pool[Any],
) -> None:
    runner = CliRunner()
    env = {"CSO_DATABASE_URL": seeded.url}
    clean = await asyncio.to_thread(runner.invoke, app, ["replay", "--check"], env=env)
    assert clean.exit_code == 0, clean.output
    assert "the read models equal the log" in clean.output
    async with renamed_project(projected) as project_id:
        dirty = await asyncio.to_thread(runner.invoke, app, ["replay", "--check"], env=env)
    assert dirty.exit_code == 1
    assert f"rm_projects (id={project_id})" in dirty.output
    assert "rm_projects: 1 row(s) differ" in dirty.output
