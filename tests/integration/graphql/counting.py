"""The schema on a pool of its own that notes the statements its connections run."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg

from cso.database import create_pool
from cso.graphql.schema import build_schema
from cso.runtime import Runtime
from tests.integration.graphql.support import InProcess


@dataclasses.dataclass(eq=False)
class Statements:
    """The statements the connections ran that `keep` selects: asyncpg's own (type
    introspection, resetting a connection on release) are not the resolvers' doing."""

    keep: Callable[[str], bool]
    seen: list[str] = dataclasses.field(default_factory=list)

    def __call__(self, record: Any) -> None:
        query: str = record.query
        if self.keep(query):
            self.seen.append(query)


@contextlib.asynccontextmanager
async def counting(
    runtime: Runtime, database_url: str, keep: Callable[[str], bool], *, max_size: int
) -> AsyncIterator[tuple[InProcess, Statements]]:
    """The schema over one pool of `max_size` connections (for writes and queries' snapshots
    alike), each reporting to the Statements."""
    statements = Statements(keep)

    async def log_queries(conn: asyncpg.Connection[Any]) -> None:
        conn.add_query_logger(statements)

    pool = await create_pool(database_url, min_size=1, max_size=max_size, init=log_queries)
    try:
        yield (
            InProcess(build_schema(), dataclasses.replace(runtime, pool=pool, read_pool=pool)),
            statements,
        )
    finally:
        await pool.close()
