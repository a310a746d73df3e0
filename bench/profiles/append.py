"""Append throughput at N writers, as ratios to its peers measured in the same run.

Cells, each run for `--seconds` in every one of `--rounds` interleaved rounds:
- EventStore.append, one event onto each writer's own existing stream (the common write),
- EventStore.append, one event opening a new stream,
- a bare asyncpg INSERT of one row into a table of the events table's shape, through a
  pool with asyncpg's defaults (the peer issue 11 names),
- the same through a pool that skips asyncpg's reset query on release, as the app's do,
- the same INSERT into the events table itself, whose trigger checks the previous version
  (a floor for any append that keeps that check),
- the eventsourcing package's PostgreSQL recorder: `Application.save` of one new event,
  with its documented settings (PERSISTENCE_MODULE=eventsourcing.postgres, a pool as large
  as the writers), from N threads.

A ratio is taken within each round (the machine's load drifts), and the median reported.
Run by hand: `python bench/profiles/append.py [--writers 32] [--seconds 3] [--rounds 3]`.
It needs psycopg and psycopg_pool for the eventsourcing peer, uses CSO_DATABASE_URL, else
CSO_TEST_DATABASE_URL, and creates (then drops) a database of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import orjson
from eventsourcing.application import Application as PeerApplication
from eventsourcing.domain import Aggregate, event

# bench/ is where the shared append cells live; this profile runs as a script from bench/profiles.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from eventstore import BARE_INSERT, BARE_TABLE, DATA, METADATA

from cso.database import connect, create_pool, scratch_database
from cso.eventstore import EventStore, NewEvent, StreamAppend
from cso.migrations import migrate

Step = Callable[[], Awaitable[Any]]


class Tally(Aggregate):
    """The peer's aggregate: one small event per save."""

    @event("Started")
    def __init__(self) -> None:
        self.count = 0

    @event("Added")
    def add(self, note: str) -> None:
        self.count += 1


def _new_event() -> NewEvent:
    return NewEvent(type="bench:Happened", data=DATA, recorded_at=datetime.now(UTC))


async def _run(writers: int, seconds: float, prepare: Callable[[], Awaitable[Step]]) -> float:
    """Appends per second: each writer prepares (untimed), then repeats its step."""
    steps = [await prepare() for _ in range(writers)]
    loop = asyncio.get_running_loop()
    counts = [0] * writers
    started = loop.time()
    deadline = started + seconds

    async def run(index: int) -> None:
        while loop.time() < deadline:
            await steps[index]()
            counts[index] += 1

    await asyncio.gather(*(run(i) for i in range(writers)))
    return sum(counts) / (loop.time() - started)


async def store_cell(url: str, writers: int, seconds: float, *, new: bool) -> float:
    pool = await create_pool(url, min_size=writers, max_size=writers)
    store = EventStore(pool)

    async def prepare() -> Step:
        stream = uuid.uuid4()
        version, head = 0, None

        async def step() -> None:
            nonlocal version, stream, head
            if new:
                stream, version = uuid.uuid4(), 0
            # As the repository does: the last hash it saw, so the store need not look it up.
            appended = StreamAppend(stream, "Bench", version, [_new_event()], head)
            result = await store.append([appended], METADATA)
            version, head = result.versions[stream], result.hashes[stream]

        if not new:
            await step()
        return step

    try:
        return await _run(writers, seconds, prepare)
    finally:
        await store.close()
        await pool.close()


async def _no_reset(conn: asyncpg.Connection[Any]) -> None:
    """As cso.database's pools: no RESET ALL round trip on release."""


async def bare_cell(
    url: str, writers: int, seconds: float, *, table: str, reset: bool = True
) -> float:
    pool = await asyncpg.create_pool(
        url, min_size=writers, max_size=writers, reset=None if reset else _no_reset
    )
    assert pool is not None
    metadata = orjson.dumps(METADATA.as_json()).decode()
    digest = os.urandom(32)

    async def prepare() -> Step:
        stream, version = uuid.uuid4(), 0

        async def step() -> None:
            nonlocal version
            version += 1
            await pool.execute(
                BARE_INSERT.replace("bare_events", table),
                *(stream, "Bench", version, "bench:Happened", DATA, metadata),
                *(datetime.now(UTC), digest),
            )

        return step

    try:
        return await _run(writers, seconds, prepare)
    finally:
        await pool.close()


def peer_cell(url: str, writers: int, seconds: float) -> float:
    """eventsourcing's own recorder: `Application.save` from `writers` threads."""
    parts = urlsplit(url)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": parts.username or "postgres",
        "POSTGRES_PASSWORD": parts.password or "",
        "POSTGRES_POOL_SIZE": str(writers),
        "CREATE_TABLE": "y",
    }
    app = PeerApplication(env=env)
    tallies = [Tally() for _ in range(writers)]
    app.save(*tallies)
    counts = [0] * writers
    start = threading.Barrier(writers + 1)
    deadline = 0.0

    def run(index: int) -> None:
        start.wait()
        tally = tallies[index]
        while time.monotonic() < deadline:
            tally.add("走访企业")
            app.save(tally)
            counts[index] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    deadline = started + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    app.close()
    return sum(counts) / elapsed


async def main(writers: int, seconds: float, rounds: int) -> None:
    server_url = os.environ.get("CSO_DATABASE_URL") or os.environ["CSO_TEST_DATABASE_URL"]
    async with scratch_database(server_url, "cso_append_bench") as url:
        conn = await connect(url)
        try:
            await migrate(conn)
            await conn.execute(BARE_TABLE)
        finally:
            await conn.close()
        cells: dict[str, list[float]] = {}
        for _ in range(rounds):
            rates = {
                "EventStore.append, existing streams": await store_cell(
                    url, writers, seconds, new=False
                ),
                "bare INSERT": await bare_cell(url, writers, seconds, table="bare_events"),
                "bare INSERT, pool without reset": await bare_cell(
                    url, writers, seconds, table="bare_events", reset=False
                ),
                "bare INSERT into events (its trigger)": await bare_cell(
                    url, writers, seconds, table="events", reset=False
                ),
                "EventStore.append, new streams": await store_cell(url, writers, seconds, new=True),
                "eventsourcing Application.save": await asyncio.to_thread(
                    peer_cell, url, writers, seconds
                ),
            }
            for label, rate in rates.items():
                cells.setdefault(label, []).append(rate)
    _report(writers, seconds, rounds, cells)


def _report(writers: int, seconds: float, rounds: int, cells: dict[str, list[float]]) -> None:
    print(f"{writers} writers, {rounds} rounds of {seconds:g} s per cell (median of rounds)")
    peers = {
        "vs bare": cells["bare INSERT"],
        "vs bare, no reset": cells["bare INSERT, pool without reset"],
        "vs eventsourcing": cells["eventsourcing Application.save"],
    }
    header = f"{'cell':<38} {'appends/s':>10}" + "".join(f" {name:>18}" for name in peers)
    print(header)
    print("-" * len(header))
    for label, rates in cells.items():
        ratios = "".join(
            f" {statistics.median(r / p for r, p in zip(rates, peer, strict=True)):>17.2f}x"
            for peer in peers.values()
        )
        print(f"{label:<38} {statistics.median(rates):>10,.0f}{ratios}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.writers, arguments.seconds, arguments.rounds))
