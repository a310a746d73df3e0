"""0004 reshapes the projects and enterprises read models: they are rebuilt from the log."""

from __future__ import annotations

import uuid

import pytest

import cso.migrations as migrations
from cso.database import connect
from cso.migrations import available_migrations, migrate

ADD_CHECKPOINT = (
    "INSERT INTO projection_checkpoints (name, transaction_id, position) VALUES ($1, '7', 7)"
)
ADD_EVENT = """
INSERT INTO events (stream_id, stream_type, version, type, data, metadata, recorded_at, hash)
VALUES ($1, $2, 1, 'test', '{}', '{}', now(), '\\x00')
"""
ADD_SNAPSHOT = """
INSERT INTO snapshots (stream_id, version, type, state, recorded_at, hash)
VALUES ($1, 1, 'snapshot', '{}', now(), '\\x00')
"""


async def test_the_reshaped_projections_start_over_and_old_project_snapshots_are_dropped(
    empty_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier = [m for m in available_migrations() if m.version < 4]
    project_id, officer_id = uuid.uuid4(), uuid.uuid4()
    conn = await connect(empty_database)
    try:
        with monkeypatch.context() as patched:
            patched.setattr(migrations, "available_migrations", lambda: earlier)
            await migrate(conn)
        for name in ("officers", "chains", "enterprises", "projects"):
            await conn.execute(ADD_CHECKPOINT, name)
        await conn.execute(ADD_EVENT, project_id, "Project")
        await conn.execute(ADD_EVENT, officer_id, "Officer")
        await conn.execute(ADD_SNAPSHOT, project_id)
        await conn.execute(ADD_SNAPSHOT, officer_id)

        await migrate(conn)

        kept = await conn.fetch("SELECT name FROM projection_checkpoints ORDER BY name")
        snapshots = await conn.fetch("SELECT stream_id FROM snapshots")
        columns = await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'rm_requests'"
        )
    finally:
        await conn.close()
    assert [row["name"] for row in kept] == ["chains", "officers"]
    assert [row["stream_id"] for row in snapshots] == [officer_id]
    assert {"overdue_from", "joint"} <= {row["column_name"] for row in columns}
