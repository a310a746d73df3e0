"""Audit tools benchmark: `cso replay --check`, `cso verify`, anchors and exports over the
demo district and over a larger log made of copies of it.

Run by hand: `python bench/audit.py [--events N]` (default 1,000,000). It uses
CSO_DATABASE_URL, else CSO_TEST_DATABASE_URL, else the embedded PostgreSQL, and creates
(then drops) a database of its own there. The larger log is the demo log copied under fresh
ids (every UUID in a copy mapped to a new one, hashes recomputed), so its events are real
domain events that every projection handles; the projections' own runners apply it first,
all at once as a server runs them, and the replay check then compares their tables with its
replay.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import asyncpg
import orjson

from cso.audit.anchor import check_anchor, take_anchor
from cso.audit.export import export_log
from cso.audit.offline import verify_export
from cso.audit.replay_check import replay_check
from cso.audit.verify import verify_log
from cso.database import connect, create_pool, resolve_database_url, scratch_database
from cso.domain.enums import DOMAIN_ENUMS
from cso.eventstore import Codec, EventStore, Listener, Repository
from cso.eventstore.hashing import GENESIS, canonical_encoding, chain
from cso.migrations import migrate
from cso.projections import ALL_PROJECTIONS
from cso.projections.runner import ProjectionRunner
from cso.seed import seed
from cso.services.application import Application
from cso.settings import Settings

TODAY = date(2026, 5, 10)
# A UUID as text: canonical anywhere, or as 32 hex digits making up a whole JSON string (how
# the codec stores ids in event data, eventsourcing's UUIDAsHex).
UUID_TEXT = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<=\")[0-9a-f]{32}(?=\")"
)
COPIES_OF = uuid.UUID("8f0c7a7e-1b7e-4d2a-9a61-6a0d2c1f0000")
DEMO_LOG = """
SELECT stream_id, stream_type, version, type, data::text AS data, metadata::text AS metadata,
       recorded_at
FROM events ORDER BY position
"""
COLUMNS = ["stream_id", "stream_type", "version", "type", "data", "metadata", "recorded_at"]


def fresh_ids(copy: int) -> Callable[[re.Match[str]], str]:
    """For `UUID_TEXT.sub`: each UUID of the log mapped to copy number `copy`'s own, the same
    one whichever form (canonical or hex) it is written in, and written in the same form."""
    ids: dict[str, str] = {}

    def fresh(match: re.Match[str]) -> str:
        old = match.group(0)
        found = ids.get(old)
        if found is None:
            new = uuid.uuid5(COPIES_OF, f"{copy}:{uuid.UUID(old)}")
            found = ids[old] = str(new) if len(old) == 36 else new.hex
        return found

    return fresh


async def copy_demo(conn: asyncpg.Connection[Any], copies: int, first: int = 1) -> None:
    """Append `copies` copies of the log, each under its own ids, one COPY each; a later
    call numbers its copies from `first` on, past those of the earlier calls."""
    demo = await conn.fetch(DEMO_LOG)
    for copy in range(first, first + copies):
        fresh = fresh_ids(copy)
        heads: dict[uuid.UUID, bytes] = {}
        records = []
        for e in demo:
            stream_id = uuid.UUID(UUID_TEXT.sub(fresh, str(e["stream_id"])))
            data = UUID_TEXT.sub(fresh, e["data"])
            metadata = UUID_TEXT.sub(fresh, e["metadata"])
            encoding = canonical_encoding(
                stream_id,
                e["stream_type"],
                e["version"],
                e["type"],
                orjson.loads(data),
                orjson.loads(metadata),
                e["recorded_at"],
            )
            head = heads[stream_id] = chain(heads.get(stream_id, GENESIS), encoding)
            kind, version, type_, at = e["stream_type"], e["version"], e["type"], e["recorded_at"]
            records.append((stream_id, kind, version, type_, data, metadata, at, head))
        await conn.copy_records_to_table("events", records=records, columns=[*COLUMNS, "hash"])


async def project(url: str, store: EventStore, *, batch_size: int = 2000) -> float:
    """Apply the whole log with every projection's runner, all at once on their own
    connections as a server's supervisor runs them; seconds until the last has caught up."""
    listener = Listener(url)
    await listener.start()
    codec = Codec(DOMAIN_ENUMS)
    started = time.perf_counter()
    try:
        runners = [
            ProjectionRunner(
                projection,
                database_url=url,
                store=store,
                codec=codec,
                listener=listener,
                batch_size=batch_size,
            )
            for projection in ALL_PROJECTIONS
        ]
        await asyncio.gather(*(runner.catch_up_to(timeout=7200) for runner in runners))
    finally:
        await listener.stop()
    return time.perf_counter() - started


async def measure(url: str, label: str) -> None:
    """Print the replay check's, verify's, anchor's and export's figures on the log at `url`."""
    found = await replay_check(url, ALL_PROJECTIONS, Codec(DOMAIN_ENUMS))
    assert found.ok, [d.describe() for d in found.differences[:5]]
    print(
        f"{label}: replay --check {found.events:,} events in {found.seconds:.1f} s "
        f"= {found.events_per_second:,.0f} events/s ({found.rows:,} rows compared)"
    )
    conn = await connect(url)
    try:
        started = time.perf_counter()
        verified = await verify_log(conn)
        seconds = time.perf_counter() - started
        assert verified.ok
        print(f"{label}: verify {verified.events:,} events in {seconds:.1f} s")
        started = time.perf_counter()
        anchor = await take_anchor(conn)
        taken = time.perf_counter() - started
        assert (await check_anchor(conn, anchor)).ok
        checked = time.perf_counter() - started - taken
        print(f"{label}: anchor taken in {taken:.2f} s, checked in {checked:.1f} s")
        with tempfile.TemporaryFile() as sink:  # about 1 KB an event
            started = time.perf_counter()
            await export_log(conn, sink.write)
            exported = time.perf_counter() - started
            sink.seek(0)
            started = time.perf_counter()
            assert verify_export(sink).ok
            offline = time.perf_counter() - started
        print(f"{label}: export in {exported:.1f} s, verify --file in {offline:.1f} s")
    finally:
        await conn.close()


async def main(events: int) -> None:
    settings = Settings.from_env()
    server = os.environ.get("CSO_TEST_DATABASE_URL") or resolve_database_url(
        settings.database_url, settings.data_dir
    )
    async with scratch_database(server, "cso_bench_audit") as url:
        conn = await connect(url)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        pool = await create_pool(url, min_size=1, max_size=4)
        store = EventStore(pool)
        try:
            app = Application(Repository(store, Codec(DOMAIN_ENUMS)), store, lambda: TODAY)
            await seed(app, today=TODAY, rng_seed=2026)
            print(f"demo: projected in {await project(url, store):.1f} s")
            await measure(url, "demo")
            raw = await asyncpg.connect(url)
            try:
                demo = await raw.fetchval("SELECT count(*) FROM events")
                await copy_demo(raw, max(events // demo - 1, 0))
                total = await raw.fetchval("SELECT count(*) FROM events")
            finally:
                await raw.close()
            print(f"{total:,} events: projected in {await project(url, store):.1f} s")
            await measure(url, f"{total:,}")
        finally:
            await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="the larger log's size")
    asyncio.run(main(parser.parse_args().events))
