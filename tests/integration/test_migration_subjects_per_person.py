"""Migration 0013 on a database with keys from before: `pd1:` values still open, under the
subject's one key, which becomes its key id."""

from __future__ import annotations

import uuid

import pytest

import cso.migrations as migrations
from cso.database import connect
from cso.migrations import available_migrations, migrate
from cso.services.personal_data import key_id_of, keys_by_id, keys_of, new_key, seal, unseal

OLD_KEY = "INSERT INTO reservations (scope, value, stream_id) VALUES ('personal_data_key', $1, $2)"


async def test_keys_from_before_the_migration_still_open_their_pd1_values(
    empty_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = [m for m in available_migrations() if m.version < 13]
    subject, key = uuid.uuid4(), new_key()
    sealed = seal(key, subject, "440105199003071234")
    conn = await connect(empty_database)
    try:
        with monkeypatch.context() as patched:
            patched.setattr(migrations, "available_migrations", lambda: before)
            await migrate(conn)
        await conn.execute(OLD_KEY, f"{subject}:{key.hex()}", subject)
        applied = await migrate(conn)
        # 13, and any migration numbered after it
        assert [m.version for m in applied] == [
            m.version for m in available_migrations() if m.version >= 13
        ]
        found = await keys_by_id(conn, [key_id_of(subject, sealed)])
        assert unseal(found.get(subject), subject, sealed) == "440105199003071234"
        assert await keys_of(conn, [subject]) == {subject: key}
        assert await conn.fetchval("SELECT length(secret) FROM subject_secret") == 32
    finally:
        await conn.close()
