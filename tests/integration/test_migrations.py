from __future__ import annotations

import asyncio
import dataclasses

import pytest

import cso.migrations as migrations
from cso.database import connect
from cso.migrations import MigrationError, available_migrations, migrate


async def test_migrations_are_applied_once_and_recorded_with_their_checksum(
    empty_database: str,
) -> None:
    conn = await connect(empty_database)
    try:
        first = await migrate(conn)
        second = await migrate(conn)
        rows = await conn.fetch("SELECT version, checksum FROM schema_migrations ORDER BY version")
    finally:
        await conn.close()
    files = available_migrations()
    assert [m.version for m in first] == [m.version for m in files]
    assert second == []
    assert [(r["version"], r["checksum"]) for r in rows] == [(m.version, m.checksum) for m in files]


async def test_an_applied_migration_that_changed_is_refused(
    empty_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = await connect(empty_database)
    try:
        await migrate(conn)
        edited = [
            dataclasses.replace(m, sql=m.sql + "\n-- edited") if m.version == 1 else m
            for m in available_migrations()
        ]
        monkeypatch.setattr(migrations, "available_migrations", lambda: edited)
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await migrate(conn)
    finally:
        await conn.close()


async def test_two_processes_migrating_at_once_apply_each_file_once(empty_database: str) -> None:
    connections = [await connect(empty_database) for _ in range(4)]
    try:
        results = await asyncio.gather(*(migrate(conn) for conn in connections))
        count = await connections[0].fetchval("SELECT count(*) FROM schema_migrations")
    finally:
        for conn in connections:
            await conn.close()
    applied = [m.version for result in results for m in result]
    assert sorted(applied) == [m.version for m in available_migrations()]
    assert count == len(available_migrations())


async def test_a_failing_migration_leaves_nothing_half_applied(
    empty_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = [
        *available_migrations(),
        migrations.Migration(9999, "broken", "CREATE TABLE half_done (id int); SELECT 1/0;"),
    ]
    monkeypatch.setattr(migrations, "available_migrations", lambda: broken)
    conn = await connect(empty_database)
    try:
        with pytest.raises(Exception, match="division by zero"):
            await migrate(conn)
        assert await conn.fetchval("SELECT to_regclass('half_done')") is None
        assert await conn.fetchval("SELECT max(version) FROM schema_migrations") < 9999
    finally:
        await conn.close()
