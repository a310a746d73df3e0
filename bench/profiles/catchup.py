"""Projection catch-up speed: rebuild every read model from a generated log, in events/s.

    python bench/profiles/catchup.py build --events 100000 --database cso_catchup
    python bench/profiles/catchup.py run --database cso_catchup [--profile] [--only NAME]
    python bench/profiles/catchup.py drop --database cso_catchup

`build` makes a database of its own on CSO_TEST_DATABASE_URL's server (else
CSO_DATABASE_URL's, else the embedded PostgreSQL): the demo district seeded through the real
use cases, then copied under fresh ids (bench/audit.py's `copy_demo`) up to `--events`, so the
log has the demo's mix of events. `run` empties every projection's tables and checkpoint and
lets the projections' own runners catch up from the start of the log, all at once as the
server runs them; it prints each projection's time and the log's events over the wall time.
`--profile` runs under pyinstrument and prints its report (CPU of this process only: the
server's share shows as waits).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.audit import copy_demo
from cso import event_loop
from cso.database import connect, create_pool, resolve_database_url, with_database
from cso.domain.enums import DOMAIN_ENUMS
from cso.eventstore import Codec, EventStore, Listener, Repository
from cso.migrations import migrate
from cso.projections import ALL_PROJECTIONS
from cso.projections.runner import ProjectionRunner
from cso.seed import seed
from cso.services.application import Application
from cso.settings import Settings

TODAY = date(2026, 5, 10)


def server_url() -> str:
    settings = Settings.from_env()
    return os.environ.get("CSO_TEST_DATABASE_URL") or resolve_database_url(
        settings.database_url, settings.data_dir
    )


async def build(name: str, events: int) -> None:
    admin = await asyncpg.connect(server_url())
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = with_database(server_url(), name)
    conn = await connect(url)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    pool = await create_pool(url, min_size=1, max_size=4)
    try:
        store = EventStore(pool)
        app = Application(Repository(store, Codec(DOMAIN_ENUMS)), store, lambda: TODAY)
        await seed(app, today=TODAY, rng_seed=2026)
    finally:
        await pool.close()
    raw: asyncpg.Connection[Any] = await asyncpg.connect(url)
    try:
        demo = await raw.fetchval("SELECT count(*) FROM events")
        await copy_demo(raw, max(events // demo - 1, 0))
        await raw.execute("VACUUM ANALYZE events")
        print(f"{name}: {await raw.fetchval('SELECT count(*) FROM events'):,} events")
    finally:
        await raw.close()


async def reset(url: str, names: list[str]) -> int:
    """Empty the projections' tables and checkpoints; the log's size."""
    conn: asyncpg.Connection[Any] = await asyncpg.connect(url)
    try:
        tables = [t for p in ALL_PROJECTIONS if p.name in names for t in p.tables]
        async with conn.transaction():
            await conn.execute(f"TRUNCATE {', '.join(tables)}")
            await conn.execute(
                "DELETE FROM projection_checkpoints WHERE name = ANY($1::text[])", names
            )
        return int(await conn.fetchval("SELECT count(*) FROM events"))
    finally:
        await conn.close()


async def catch_up(url: str, names: list[str], batch_size: int) -> dict[str, float]:
    """Every named projection's runner from the start of the log, all at once; seconds each."""
    pool = await create_pool(url, min_size=1, max_size=2)
    listener = Listener(url)
    await listener.start()
    store = EventStore(pool)
    seconds: dict[str, float] = {}

    async def one(projection: Any) -> None:
        runner = ProjectionRunner(
            projection,
            database_url=url,
            store=store,
            codec=Codec(DOMAIN_ENUMS),
            listener=listener,
            batch_size=batch_size,
        )
        started = time.perf_counter()
        await runner.catch_up_to(timeout=7200)
        seconds[projection.name] = time.perf_counter() - started

    try:
        await asyncio.gather(*(one(p) for p in ALL_PROJECTIONS if p.name in names))
    finally:
        await listener.stop()
        await pool.close()
    return seconds


BACKENDS = "SELECT pid FROM pg_stat_activity WHERE datname = $1"


def backends_cpu(pids: list[int], seen: dict[int, float]) -> None:
    """CPU seconds of the local server's backends `pids`, by pid (the highest reading of
    each: a backend's figures vanish with it)."""
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seen[pid] = max(seen.get(pid, 0.0), (int(fields[11]) + int(fields[12])) / tick)


async def sample_backends(url: str, database: str, seen: dict[int, float]) -> None:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(url)
    try:
        while True:
            backends_cpu([r[0] for r in await conn.fetch(BACKENDS, database)], seen)
            await asyncio.sleep(0.25)
    finally:
        await conn.close()


async def run(name: str, only: list[str], batch_size: int, profile: bool) -> None:
    url = with_database(server_url(), name)
    names = only or [p.name for p in ALL_PROJECTIONS]
    events = await reset(url, names)
    profiler: Any = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="disabled")
        profiler.start()
    server: dict[int, float] = {}
    sampler = asyncio.create_task(sample_backends(url, name, server))
    await asyncio.sleep(0.5)
    before = dict(server)
    started, cpu = time.perf_counter(), time.process_time()
    seconds = await catch_up(url, names, batch_size)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    sampler.cancel()
    server_cpu = sum(v - before.get(pid, 0.0) for pid, v in server.items())
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    for projection, taken in sorted(seconds.items(), key=lambda item: -item[1]):
        print(f"  {projection:<16} {taken:7.1f} s  {events / taken:>9,.0f} events/s")
    print(
        f"{events:,} events, {len(names)} projections: {wall:.1f} s = "
        f"{events / wall:,.0f} events/s; CPU: this process {cpu:.1f} s, "
        f"the server's backends {server_cpu:.1f} s (sampled every 0.25 s)"
    )


async def drop(name: str) -> None:
    admin = await asyncpg.connect(server_url())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["build", "run", "drop"])
    parser.add_argument("--database", default="cso_bench_catchup")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--only", action="append", default=[], help="a projection's name")
    parser.add_argument("--batch-size", type=int, default=500, help="the runner's batch_size")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.action == "build":
        event_loop.run(build(args.database, args.events))
    elif args.action == "run":
        event_loop.run(run(args.database, args.only, args.batch_size, args.profile))
    else:
        event_loop.run(drop(args.database))


if __name__ == "__main__":
    main()
