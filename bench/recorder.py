"""The eventsourcing package's own PostgreSQL recorder as a peer of the event store:
`Application.save` of new one-event aggregates from N threads for a while, configured by
its documented POSTGRES_* settings (psycopg 3 and its pool: `eventsourcing[postgres]`)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote, urlsplit

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


class Counted(Aggregate):
    """One event when created, about the size of the store benchmark's event."""

    @event("Started")
    def __init__(self, name: str) -> None:
        self.name = name


def recorder_settings(url: str, writers: int) -> dict[str, str]:
    """eventsourcing's environment for the database at `url` (postgresql://user@host:port/db),
    with a pool of one connection per writer, as the asyncpg peers have."""
    parts = urlsplit(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_POOL_SIZE": str(writers),
        "POSTGRES_MAX_OVERFLOW": "0",
        "CREATE_TABLE": "y",
    }


def saves_per_second(url: str, writers: int, seconds: float) -> float:
    """Aggregates saved per second by `writers` threads sharing one Application."""
    app = Application(env=recorder_settings(url, writers))
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
