"""Event store benchmark: append throughput against bare INSERTs, and 10,000-event load times.

Run by hand: `python bench/eventstore.py [--seconds N]`. It uses CSO_DATABASE_URL, else
CSO_TEST_DATABASE_URL, else the embedded PostgreSQL, and creates (then drops) a database of
its own there.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any

import asyncpg
import orjson
from common import when_the_server_has_room  # bench/ is on sys.path when run as a script
from eventsourcing.domain import Aggregate, event

from cso.database import connect, create_pool, resolve_database_url, scratch_database
from cso.eventstore import Codec, EventStore, Metadata, NewEvent, Repository, StreamAppend
from cso.migrations import migrate
from cso.settings import Settings

CONCURRENCY = (1, 32)
STREAM_EVENTS = 10_000
SNAPSHOT_INTERVAL = 100
LOAD_RUNS = 5

# The bare table: the events table's columns, primary key and unique position, nothing else.
BARE_TABLE = """
CREATE TABLE bare_events (
  position       bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  transaction_id xid8   NOT NULL DEFAULT pg_current_xact_id(),
  stream_id      uuid   NOT NULL,
  stream_type    text   NOT NULL,
  version        integer NOT NULL,
  type           text   NOT NULL,
  data           jsonb  NOT NULL,
  metadata       jsonb  NOT NULL,
  recorded_at    timestamptz NOT NULL,
  hash           bytea  NOT NULL,
  PRIMARY KEY (stream_id, version)
)
"""
BARE_INSERT = """
INSERT INTO bare_events (stream_id, stream_type, version, type, data, metadata, recorded_at, hash)
VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8)
"""

METADATA = Metadata(correlation_id=str(uuid.uuid4()), reason="benchmark")
# About the size of a real domain event: a few typed fields in eventsourcing's encoding.
DATA = orjson.dumps(
    {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2024-06-01T09:30:00.000000+00:00"},
        "officer_id": {"_type_": "uuid_hex", "_data_": uuid.uuid4().hex},
        "amount": {"_type_": "decimal_str", "_data_": "1250000.00"},
        "kind": {"_type_": "enum:ServiceKind", "_data_": "CONSULTATION"},
        "note": "走访企业，了解用地需求",
    }
).decode()


class Tally(Aggregate):
    @event("Started")
    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0
        self.total = Decimal("0")

    @event("Added")
    def add(self, amount: Decimal) -> None:
        self.count += 1
        self.total += amount


@dataclass
class Rate:
    label: str
    writers: int
    appends: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.appends / self.seconds


def _new_event() -> NewEvent:
    return NewEvent(type="bench:Happened", data=DATA, recorded_at=datetime.now(UTC))


async def _for_a_while(
    label: str, writers: int, seconds: float, writer: Callable[[], Awaitable[Callable[[], Any]]]
) -> Rate:
    """Each of `writers` prepares a step (untimed), then repeats it until time is up."""
    steps = [await writer() for _ in range(writers)]
    loop = asyncio.get_running_loop()
    counts = [0] * writers
    started = loop.time()
    deadline = started + seconds

    async def run(index: int) -> None:
        step = steps[index]
        while loop.time() < deadline:
            await step()
            counts[index] += 1

    await asyncio.gather(*(run(i) for i in range(writers)))
    return Rate(label, writers, sum(counts), loop.time() - started)


def _store_new_streams(store: EventStore) -> Callable[[], Awaitable[Callable[[], Any]]]:
    async def prepare() -> Callable[[], Any]:
        async def step() -> None:
            await store.append([StreamAppend(uuid.uuid4(), "Bench", 0, [_new_event()])], METADATA)

        return step

    return prepare


def _store_existing_streams(store: EventStore) -> Callable[[], Awaitable[Callable[[], Any]]]:
    async def prepare() -> Callable[[], Any]:
        stream = uuid.uuid4()
        first = await store.append([StreamAppend(stream, "Bench", 0, [_new_event()])], METADATA)
        version, previous_hash = 1, first.hashes[stream]

        async def step() -> None:
            nonlocal version, previous_hash
            result = await store.append(
                [StreamAppend(stream, "Bench", version, [_new_event()], previous_hash)], METADATA
            )
            version, previous_hash = result.versions[stream], result.hashes[stream]

        return step

    return prepare


def _bare_inserts(pool: asyncpg.Pool[Any]) -> Callable[[], Awaitable[Callable[[], Any]]]:
    metadata = orjson.dumps(METADATA.as_json()).decode()
    digest = os.urandom(32)

    async def prepare() -> Callable[[], Any]:
        stream = uuid.uuid4()
        version = 0

        async def step() -> None:
            nonlocal version
            version += 1
            await pool.execute(
                BARE_INSERT,
                stream,
                "Bench",
                version,
                "bench:Happened",
                DATA,
                metadata,
                datetime.now(UTC),
                digest,
            )

        return step

    return prepare


async def store_rates(url: str, writers: int, seconds: float, *, existing: bool) -> list[Rate]:
    """EventStore.append to new streams (and, with `existing`, to streams that have events),
    on a pool of `writers` connections opened before the clock starts."""
    pool = await when_the_server_has_room(
        partial(create_pool, url, min_size=writers, max_size=writers)
    )
    store = EventStore(pool)
    try:
        rates = [await _for_a_while("new streams", writers, seconds, _store_new_streams(store))]
        if existing:
            rates.append(
                await _for_a_while(
                    "existing streams", writers, seconds, _store_existing_streams(store)
                )
            )
    finally:
        await store.close()
        await pool.close()
    return rates


async def bare_rate(url: str, writers: int, seconds: float) -> Rate:
    """Bare single-row INSERTs into BARE_TABLE, on a pool opened before the clock starts."""
    pool = await when_the_server_has_room(
        partial(asyncpg.create_pool, url, min_size=writers, max_size=writers)
    )
    try:
        return await _for_a_while("bare INSERT", writers, seconds, _bare_inserts(pool))
    finally:
        await pool.close()


async def measure_appends(url: str, seconds: float) -> list[tuple[Rate, Rate, Rate]]:
    rows = []
    for writers in CONCURRENCY:
        new, existing = await store_rates(url, writers, seconds, existing=True)
        rows.append((new, existing, await bare_rate(url, writers, seconds)))
    return rows


async def _write_stream(store: EventStore, codec: Codec, *, snapshots: bool) -> uuid.UUID:
    """10,000 events; with snapshots, the last one is at 9,901 and 99 events follow it."""
    writer = Repository(store, codec, snapshot_interval=SNAPSHOT_INTERVAL if snapshots else 10**9)
    tally = Tally(name="bench")
    last_snapshot_batch_end = STREAM_EVENTS - 37
    while tally.version < last_snapshot_batch_end:
        for _ in range(min(300, last_snapshot_batch_end - tally.version)):
            tally.add(Decimal("1.25"))
        await writer.save(tally, metadata=METADATA)
    for _ in range(STREAM_EVENTS - tally.version):
        tally.add(Decimal("1.25"))
    await Repository(store, codec, snapshot_interval=10**9).save(tally, metadata=METADATA)
    assert tally.version == STREAM_EVENTS
    return tally.id


async def _median_seconds(load: Callable[[], Awaitable[Aggregate]], expected: int) -> float:
    timings = []
    for _ in range(LOAD_RUNS):
        started = time.perf_counter()
        aggregate = await load()
        timings.append(time.perf_counter() - started)
        assert aggregate.version == expected
    return statistics.median(timings)


async def measure_loads(url: str) -> list[tuple[str, float]]:
    pool = await create_pool(url, min_size=2, max_size=4)
    store = EventStore(pool)
    codec = Codec()
    try:
        with_snapshots = await _write_stream(store, codec, snapshots=True)
        without = await _write_stream(store, codec, snapshots=False)
        one = Tally(name="new")
        await Repository(store, codec).save(one, metadata=METADATA)
        snapshot = await store.latest_snapshot(with_snapshots)
        assert snapshot is not None and snapshot["version"] == 9_901

        async def cold(stream: uuid.UUID) -> Tally:
            return await Repository(store, codec).get(stream, Tally)

        cached_repository = Repository(store, codec)
        await cached_repository.get(with_snapshots, Tally)  # now cached

        async def cached() -> Tally:
            return await cached_repository.get(with_snapshots, Tally)

        return [
            (
                "cold, full replay (no snapshots)",
                await _median_seconds(lambda: cold(without), STREAM_EVENTS),
            ),
            (
                "cold, snapshot at 9,901 + 99 events",
                await _median_seconds(lambda: cold(with_snapshots), STREAM_EVENTS),
            ),
            ("cached, fast-forward (nothing new)", await _median_seconds(cached, STREAM_EVENTS)),
            ("for scale: cold, a 1-event stream", await _median_seconds(lambda: cold(one.id), 1)),
        ]
    finally:
        await store.close()
        await pool.close()


def print_report(
    server: str,
    seconds: float,
    appends: list[tuple[Rate, Rate, Rate]],
    loads: list[tuple[str, float]],
) -> None:
    print(f"PostgreSQL: {server}")
    print(f"Single-event appends per second ({seconds:g} s per cell; one stream per writer)")
    header = f"{'writers':>7}  {'path':<40} {'appends/s':>10}  {'vs bare INSERT':>14}"
    print(header)
    print("-" * len(header))
    for new, existing, bare in appends:
        for rate in (new, existing):
            path = f"EventStore.append, {rate.label}"
            ratio = rate.per_second / bare.per_second
            print(f"{rate.writers:>7}  {path:<40} {rate.per_second:>10,.0f}  {ratio:>13.2f}x")
        print(
            f"{bare.writers:>7}  {'asyncpg bare single-row INSERT':<40} {bare.per_second:>10,.0f}"
        )
    print()
    print(f"Repository.get of a {STREAM_EVENTS:,}-event stream (median of {LOAD_RUNS})")
    header = f"{'path':<40} {'ms':>9}"
    print(header)
    print("-" * len(header))
    for label, seconds_taken in loads:
        print(f"{label:<40} {seconds_taken * 1000:>9.2f}")


async def main(seconds: float) -> None:
    configured = os.environ.get("CSO_DATABASE_URL") or os.environ.get("CSO_TEST_DATABASE_URL")
    server_url = resolve_database_url(configured, Settings.from_env().data_dir)
    async with scratch_database(server_url, "cso_bench") as url:
        conn = await connect(url)
        try:
            server = await conn.fetchval("SHOW server_version")
            await migrate(conn)
            await conn.execute(BARE_TABLE)
        finally:
            await conn.close()
        appends = await measure_appends(url, seconds)
        loads = await measure_loads(url)
    print_report(server, seconds, appends, loads)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="time per throughput cell")
    asyncio.run(main(parser.parse_args().seconds))
