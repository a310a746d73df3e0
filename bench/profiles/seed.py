"""The district seed's CPU per event, measured and profiled, at a small fixed scale.

    python bench/profiles/seed.py measure [--scale 0.02] [--json]
    python bench/profiles/seed.py profile [--scale 0.02] [--html FILE]

Each run seeds a new scratch database (`cso_seed_profile`, created, then dropped) as
`cso seed --scale F` does (projections off, commits without waiting for their WAL flush),
and reports the district's part alone (the demo's setup and history around it are left
out): its events, wall seconds, this process's CPU and the CPU of the database's backends
that served it (from /proc, so the server must run on this machine; else 0), each per
event. `profile` runs the same under pyinstrument (`pip install pyinstrument`).

To compare two checkouts, run `measure` from outside both with PYTHONPATH=<checkout>,
alternating them (A, B, A, B): the ratio of CPU per event is the figure; wall time moves
with the machine's load.

Uses CSO_DATABASE_URL, else CSO_TEST_DATABASE_URL (a server URL).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

import asyncpg

from cso.database import with_database
from cso.settings import Settings

DATABASE = "cso_seed_profile"
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Figures:
    """The district part of one seed: events, wall s, CPU s here and in the backends."""

    events: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    backend_cpu: float = 0.0
    gc: float = 0.0  # CPU s in the garbage collector
    statements: int = 0  # appends sent to the database

    def line(self) -> str:
        per = 1e6 / max(self.events, 1)
        return (
            f"{self.events:,} events in {self.wall:.1f} s; CPU {self.cpu * per:.0f} µs/event "
            f"here (of which {self.gc * per:.0f} in the garbage collector), "
            f"{self.backend_cpu * per:.0f} µs/event in the database; "
            f"{self.statements:,} append statements"
        )


def _backend_cpu(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


async def _backends(url: str, name: str) -> list[int]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
    finally:
        await conn.close()
    return [row["pid"] for row in rows]


async def seed_once(server: str, fraction: float) -> Figures:
    """Seed a new scratch database at `fraction` of the district; the district's figures."""
    import cso.seed as seeding
    from cso.app import open_runtime
    from cso.seed.console import without_commit_waits
    from cso.seed.district import DistrictScale

    admin = await asyncpg.connect(server)
    await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
    await admin.execute(f"CREATE DATABASE {DATABASE}")
    url = without_commit_waits(with_database(server, DATABASE))
    figures = Figures()
    district = seeding._district

    collecting: list[float] = []

    def collector(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collecting.append(time.process_time())
        else:
            figures.gc += time.process_time() - collecting.pop()

    async def measured(run: Any, *args: Any) -> int:
        pids = await _backends(server, DATABASE)
        events, wall, cpu = run.repository.events, time.perf_counter(), time.process_time()
        statements = run.repository.appends
        backend = _backend_cpu(pids)
        gc.callbacks.append(collector)
        try:
            done: int = await district(run, *args)
        finally:
            gc.callbacks.remove(collector)
        figures.backend_cpu = _backend_cpu(pids) - backend
        figures.cpu = time.process_time() - cpu
        figures.wall = time.perf_counter() - wall
        figures.events = run.repository.events - events
        figures.statements = run.repository.appends - statements
        return done

    seeding._district = measured
    try:
        env = {**os.environ, "CSO_DATABASE_URL": url, "CSO_RUN_PROJECTIONS": "0"}
        async with open_runtime(Settings.from_env(env)) as runtime:
            await seeding.seed(
                runtime.application,
                today=runtime.today(),
                scale=DistrictScale(fraction),
            )
    finally:
        seeding._district = district
        await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        await admin.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("measure", "profile"))
    parser.add_argument("--scale", type=float, default=0.02, help="fraction of the district")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--html", help="profile: write pyinstrument's HTML here")
    args = parser.parse_args()
    server = os.environ.get("CSO_DATABASE_URL") or os.environ.get("CSO_TEST_DATABASE_URL")
    if not server:
        sys.exit("set CSO_DATABASE_URL or CSO_TEST_DATABASE_URL to a PostgreSQL server")
    if args.mode == "measure":
        figures = asyncio.run(seed_once(server, args.scale))
        print(json.dumps(asdict(figures)) if args.json else figures.line())
        return
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="disabled")
    with profiler:
        figures = asyncio.run(seed_once(server, args.scale))
    print(figures.line())
    if args.html:
        with open(args.html, "w") as out:
            out.write(profiler.output_html())
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
