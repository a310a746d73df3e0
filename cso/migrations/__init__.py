"""Numbered, forward-only SQL migrations, each applied once in its own transaction."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

from cso.database import AnyConnection

# Any constant works; it only has to be the same in every process.
MIGRATION_LOCK_KEY = 0x0C5_0001

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)
"""
SELECT_APPLIED = "SELECT version, name, checksum FROM schema_migrations ORDER BY version"
INSERT_APPLIED = "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)"

_FILENAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available_migrations() -> list[Migration]:
    found = []
    for entry in resources.files(__package__).iterdir():
        match = _FILENAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migration files share a number: {versions}")
    return found


async def pending_migrations(conn: AnyConnection) -> list[Migration]:
    """Migrations not applied yet; refuses when an applied file has since changed."""
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    applied = {r["version"]: r for r in await conn.fetch(SELECT_APPLIED)} if exists else {}
    pending = []
    for migration in available_migrations():
        row = applied.get(migration.version)
        if row is None:
            pending.append(migration)
        elif row["checksum"] != migration.checksum:
            raise MigrationError(
                f"migration {migration.version:04d}_{row['name']} was changed after it was "
                "applied; migrations are forward-only: add a new file instead"
            )
    return pending


async def migrate(conn: AnyConnection) -> list[Migration]:
    """Apply pending migrations under an advisory lock, so concurrent starters apply each once."""
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
    try:
        await conn.execute(CREATE_TABLE)
        pending = await pending_migrations(conn)
        for migration in pending:
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    INSERT_APPLIED, migration.version, migration.name, migration.checksum
                )
        return pending
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
