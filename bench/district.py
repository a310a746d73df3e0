"""Target 10 of `make bench`: the district seed's time, and the page at district scale.

`make bench-district` (run.py --district) measures both: `cso seed --scale district` in one
process into a scratch database (wall time, the seed's CPU, PostgreSQL's CPU over the same
time), then the page's p50 on it beside a demo-only database. It writes the rows to
bench/results/district-latest.json with the commit and date. A plain `make bench` does not
fit the seed in its 15 minutes: it shows the rows of that file, each labelled with the run
they come from (commit, date), or says they are not available.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api import (  # bench/ is on sys.path when run as a script
    VIEWER_ID,
    serving,
    wait_for_projections,
)
from audit import project
from load import run_wrk
from targets import BY_ID, DISTRICT_ROWS, Row, district_record, district_rows, not_available

from cso.database import create_pool, scratch_database
from cso.eventstore import EventStore
from cso.services.identity import Role

if TYPE_CHECKING:
    from run import Plan

RESULTS = Path(__file__).parent / "results" / "district-latest.json"
COUNT = "SELECT count(*) FROM events"
CSO = str(Path(sys.executable).parent / "cso")
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class SeedRun:
    """One `cso seed`: wall s, its process's CPU s, PostgreSQL's CPU s meanwhile (every
    postgres process on this machine, with backends that ended), load averages."""

    wall: float
    cpu: float
    postgres_cpu: float
    load_before: float
    load_after: float

    def details(self, events: int) -> str:
        per = 1e6 / max(events, 1)
        return (
            f"{events:,} events in {self.wall:.0f} s wall ({events / self.wall:,.0f}/s), "
            f"one process: seed CPU {self.cpu:.0f} s ({self.cpu * per:.0f} µs/event), "
            f"all PostgreSQL processes' CPU {self.postgres_cpu:.0f} s "
            f"({self.postgres_cpu * per:.0f} µs/event); load average "
            f"{self.load_before:.1f} before, {self.load_after:.1f} after"
        )


def postgres_cpu() -> float:
    """CPU s of every postgres process here, with the children each has reaped (backends
    that ended count towards the postmaster)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # gone meanwhile
        name, _, rest = text.partition(") ")
        if name.endswith("(postgres"):
            fields = rest.split()
            total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / TICKS


async def seed_district(database: str, scale: str) -> SeedRun | None:
    """`cso seed --scale SCALE` into `database`, one process; None when it failed."""
    load_before = os.getloadavg()[0]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    postgres = postgres_cpu()
    started = time.perf_counter()
    seeding = await asyncio.create_subprocess_exec(
        CSO,
        "seed",
        "--scale",
        scale,
        env={**os.environ, "CSO_DATABASE_URL": database, "CSO_RUN_PROJECTIONS": "0"},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    failed = await seeding.wait() != 0
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if failed:
        return None
    cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    return SeedRun(wall, cpu, postgres_cpu() - postgres, load_before, os.getloadavg()[0])


def commit() -> str:
    """The checkout's short commit, `+changes` when its files differ from it."""

    def git(*arguments: str) -> str:
        done = subprocess.run(
            ["git", *arguments], capture_output=True, text=True, cwd=Path(__file__).parent
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def earlier_rows(report: Any) -> None:
    """Target 10's rows from the last `make bench-district`, labelled, or not available."""
    if not RESULTS.exists():
        why = "the district seed outlasts `make bench`; `make bench-district` measures it"
        for name in DISTRICT_ROWS:
            report.add(not_available(BY_ID[name], why))
        return
    for row in district_rows(json.loads(RESULTS.read_text()), commit()):
        report.add(row)


async def scale(
    url: str,
    log_dir: Path,
    plan: Plan,
    report: Any,
    demo_p50: list[float],
    district_scale: str = "district",
) -> None:
    """Target 10 (see the module's docstring). The page: its p50 (wrk, 32 connections) on
    the district over its p50 on a demo-only database, both seeded, projected and served
    side by side in this run, in interleaved rounds (demo, district, ...) with each
    server's CPU per page. Both read models are vacuumed and analysed first, as autovacuum
    would have done on a server that runs it: catch-up rewrites a project's row per event,
    and a server with autovacuum off pages over the dead rows. `demo_p50` (row 1a's
    database, grown by the other targets) is only named in the note; `district_scale` is
    `cso seed --scale`'s value (a fraction, to try the rows quickly; a fraction's rows
    are not written to district-latest.json)."""
    if plan.mode == "quick" or not plan.district:
        earlier_rows(report)
        return
    from api import seed_demo_data
    from traffic import PAGE, _body

    async with (
        scratch_database(url, "cso_bench_demo") as demo,
        scratch_database(url, "cso_bench_district") as district,
    ):
        await seed_demo_data(demo)
        seeded = await seed_district(district, district_scale)
        if seeded is None:
            for name in DISTRICT_ROWS:
                report.add(not_available(BY_ID[name], "`cso seed --scale district` failed"))
            return
        demo_events, _ = await projected_and_vacuumed(demo)
        events, projecting = await projected_and_vacuumed(district)
        body = [_body(PAGE)]
        p50s: dict[str, list[float]] = {"demo": [], "district": []}
        cpu_ms: dict[str, list[float]] = {"demo": [], "district": []}
        (log_dir / "demo").mkdir()
        (log_dir / "district").mkdir()
        async with (
            serving(demo, log_dir / "demo") as small,
            serving(district, log_dir / "district") as big,
        ):
            servers = {"demo": small, "district": big}
            for server in servers.values():
                await wait_for_projections(server)
                auth = server.headers(Role.VIEWER, VIEWER_ID)
                await run_wrk(f"{server.url}/graphql", body, plan.warm_up, auth["Authorization"])
            for _ in range(plan.rounds):
                for name, server in servers.items():
                    auth = server.headers(Role.VIEWER, VIEWER_ID)
                    before = cpu_seconds(server.process.pid)
                    run = await run_wrk(
                        f"{server.url}/graphql", body, plan.seconds, auth["Authorization"]
                    )
                    spent = cpu_seconds(server.process.pid) - before
                    p50s[name].append(run.p50_ms)
                    cpu_ms[name].append(1000 * spent / max(1, run.requests))
    middle = plan.rounds // 2
    ours, peer = sorted(p50s["district"])[middle], sorted(p50s["demo"])[middle]
    cpu_big, cpu_small = sorted(cpu_ms["district"])[middle], sorted(cpu_ms["demo"])[middle]
    rows = [
        Row(
            BY_ID["10a"],
            ours,
            peer,
            note=f"district: {events:,} events, projected in {projecting:.0f} s; demo: "
            f"{demo_events:,} events; server CPU a page {cpu_big:.2f} ms (district) vs "
            f"{cpu_small:.2f} ms (demo); read models vacuumed"
            + (f"; row 1a's demo p50 {demo_p50[0]:.1f} ms" if demo_p50 else ""),
        ),
        Row(BY_ID["10b"], seeded.wall, note=seeded.details(events)),
    ]
    for row in rows:
        report.add(row)
    if district_scale == "district":
        made = {
            "commit": commit(),
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
        }
        RESULTS.parent.mkdir(exist_ok=True)
        record = district_record(rows, made)
        RESULTS.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")


async def projected_and_vacuumed(database: str) -> tuple[int, float]:
    """Every projection caught up on `database` (events, seconds), read models vacuumed."""
    pool = await create_pool(database, min_size=1, max_size=4)
    store = EventStore(pool)
    try:
        seconds = await project(database, store)
        events = int(await pool.fetchval(COUNT))
        tables = await pool.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename LIKE 'rm\\_%'"
        )
        for row in tables:
            await pool.execute(f'VACUUM (ANALYZE) "{row["tablename"]}"')
    finally:
        await store.close()
        await pool.close()
    return events, seconds


def cpu_seconds(pid: int | None) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS
