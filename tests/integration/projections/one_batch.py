"""A projection's tables as live projection left them, and as one batch from the start
of the log leaves them: for tests that fold a batch's writes to a row into one."""

from __future__ import annotations

from typing import Any

from cso.projections.base import Projection
from tests.integration.projections.conftest import Isolated


async def tables(isolated: Isolated, projection: Projection) -> dict[str, list[dict[str, Any]]]:
    """Every row of `projection`'s tables, in a stable order."""
    found = {}
    for table in projection.tables:
        rows = await isolated.pool.fetch(f"SELECT * FROM {table}")  # (declared names)
        found[table] = sorted((dict(row) for row in rows), key=repr)
    return found


async def replay_in_one_batch(isolated: Isolated, projection: Projection) -> None:
    """Empty `projection`'s tables and checkpoint, then apply the whole log as one batch."""
    await isolated.pool.execute(f"TRUNCATE {', '.join(projection.tables)}")
    await isolated.pool.execute(
        "DELETE FROM projection_checkpoints WHERE name = $1", projection.name
    )
    runner = isolated.runner(projection, batch_size=10_000)
    # Up to the newest event: a transaction open anywhere on the server holds the watermark
    # back, and "what there is" below it may not be the whole log yet.
    await runner.catch_up_to(await isolated.repository.store.newest())
