"""The event loop the command-line tools run on: the one `cso serve` runs on.

uvicorn (installed with its `standard` extra) runs the API on uvloop, whose sockets,
callbacks and timers are written in C; a projection runner catching up spends about a
tenth of its CPU in the event loop's socket reads and writes. `cso projections run`,
`rebuild`, `seed` and the other commands run on it too, so that a worker outside the API
process catches up as fast as one inside it. Without uvloop (a platform it does not
support) they fall back to asyncio's own loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard] where supported
    uvloop = None  # type: ignore[assignment]


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run `main` to completion on a new event loop (uvloop's when installed), as
    `asyncio.run` does; returns its result and raises what it raises."""
    if uvloop is not None:
        return uvloop.run(main)
    return asyncio.run(main)
