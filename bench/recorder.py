"""The eventsourcing package's own PostgreSQL recorder as a peer of the event store:
`Application.save` of new one-event aggregates from N threads for a while, configured by
its documented POSTGRES_* settings (psycopg 3 and its pool: `eventsourcing[postgres]`).

`python bench/recorder.py URL WRITERS SECONDS` prints the saves per second; `make bench`
runs it so, in a process of its own, as an application using the package would be.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import OperationalError


class Counted(Aggregate):
    """One event when created, about the size of the store benchmark's event."""

    @event("Started")
    def __init__(self, name: str) -> None:
        self.name = name


def recorder_settings(url: str, writers: int) -> dict[str, str]:
    """eventsourcing's environment for the database at `url` (postgresql://user@host:port/db,
    or the embedded server's ?host=SOCKET_DIR), with a pool of one connection per writer,
    as the asyncpg peers have."""
    parts = urlsplit(url)
    host = parse_qs(parts.query).get("host", [parts.hostname or "127.0.0.1"])[0]
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": host,
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_POOL_SIZE": str(writers),
        "POSTGRES_MAX_OVERFLOW": "0",
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "CREATE_TABLE": "y",
    }


def _opened(settings: dict[str, str]) -> Application[Any]:
    """The Application, waiting up to a minute while the shared server has no free slot
    (psycopg's pool gives up after POSTGRES_CONNECT_TIMEOUT, and says so)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return Application(env=settings)
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1.0)


def saves_per_second(url: str, writers: int, seconds: float) -> float:
    """Aggregates saved per second by `writers` threads sharing one Application."""
    app = _opened(recorder_settings(url, writers))
    app.save(Counted(name="warm-up"))  # creates the tables, opens the pool
    deadline = time.perf_counter() + seconds
    counts = [0] * writers
    start = threading.Barrier(writers + 1)

    def write(index: int) -> None:
        start.wait()
        while time.perf_counter() < deadline:
            app.save(Counted(name=f"writer {index}"))
            counts[index] += 1

    try:
        with ThreadPoolExecutor(writers) as pool:
            futures = [pool.submit(write, index) for index in range(writers)]
            began = time.perf_counter()
            start.wait()
            for future in futures:
                future.result()
            elapsed = time.perf_counter() - began
    finally:
        app.close()
    return sum(counts) / elapsed


async def saves_per_second_apart(url: str, writers: int, seconds: float) -> float:
    """saves_per_second in a child process; RuntimeError with its output when it fails."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        url,
        str(writers),
        str(seconds),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    text = output.decode(errors="replace").strip()
    if process.returncode != 0:
        raise RuntimeError(f"the recorder failed: {text[-600:]}")
    return float(text.splitlines()[-1])


if __name__ == "__main__":
    # eventsourcing silences the pool's warnings when its module loads; they say why a
    # connection failed, so they are turned back on after it.
    import eventsourcing.postgres  # noqa: F401

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("psycopg.pool").setLevel(logging.WARNING)
    url_, writers_, seconds_ = sys.argv[1:4]
    print(saves_per_second(url_, int(writers_), float(seconds_)))
