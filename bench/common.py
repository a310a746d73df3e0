"""What the benchmarks share."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg


async def when_the_server_has_room(
    open_pool: Callable[[], Awaitable[asyncpg.Pool[Any] | None]],
) -> asyncpg.Pool[Any]:
    """Opens a pool, waiting up to a minute while other clients fill the server's slots."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while True:
        try:
            pool = await open_pool()
            assert pool is not None
            return pool
        except asyncpg.TooManyConnectionsError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.5)
