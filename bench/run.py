"""`make bench`: every target of issue 11 measured against its peer in one run.

Run: `python bench/run.py [--quick]`. It works on a scratch database of its own on a
loopback PostgreSQL: CSO_DATABASE_URL, else the embedded one. Not CSO_TEST_DATABASE_URL: a
transaction left open anywhere on a server holds back every projection there, and with
them the freshness figures, so the test suites' busy server is no place for it. It seeds
the demo district, grows one project to 10,000 events, serves the real app (one uvicorn
worker, its projections in a `cso projections run` worker beside it) beside PostGraphile 4
and the bare routes of bench/bare.py, and
drives them with wrk at 32 connections in interleaved rounds (ours, peer, ours, peer, after
a warm-up of each), so machine noise hits both. Then it measures catch-up over a log grown
by copies of itself and appends (store, bare INSERT, eventsourcing's recorder). It prints
one row per target, writes bench/results/latest.json and ends with `targets met: K/N`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import phases  # bench/ is on sys.path when run as a script
from api import HOST
from targets import Report, as_json, summary_line, table

from cso import event_loop
from cso.database import resolve_database_url, scratch_database
from cso.settings import Settings

RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Plan:
    """How long each part runs: the full run fits 15 minutes on a 2-core machine."""

    mode: str
    rounds: int  # interleaved rounds per comparison
    seconds: float  # one wrk run
    warm_up: float  # one untimed wrk run per server first
    sequential: int  # requests per path for the long-stream and time-travel figures
    restarts: int
    freshness_probes: int
    append_seconds: float
    catch_up_events: int  # at most this many copied events to project
    catch_up_seconds: float  # about this long copying and projecting them, at most
    # Target 10 seeds the district (1.1M events through the use cases: about 4.6 minutes in
    # one process), projects it (3 more minutes or so at target 6's rate) and serves it
    # beside a demo: past `make bench`'s 15 minutes with the other targets' 7, so only
    # `make bench-district` runs it.
    district: bool = False


FULL = Plan("full", 3, 8.0, 3.0, 100, 3, 60, 4.0, 1_000_000, 150.0)
QUICK = Plan("quick", 2, 3.0, 1.0, 30, 1, 20, 2.0, 50_000, 20.0)


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "load_average_1m": os.getloadavg()[0],
    }


async def main(plan: Plan) -> int:
    started = time.perf_counter()
    run: dict[str, Any] = {
        "mode": plan.mode,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "plan": plan.__dict__,
    }
    settings = Settings.from_env()
    server_url = resolve_database_url(settings.database_url, settings.data_dir)
    if urlsplit(server_url).hostname not in (None, "", "localhost", HOST, "::1"):
        raise SystemExit("the benchmark runs against a loopback PostgreSQL only")
    report = Report()
    notes: list[str] = []
    try:
        async with scratch_database(server_url, "cso_bench_run") as url:
            conn = await asyncpg.connect(url)
            try:
                run["machine"]["postgresql"] = await conn.fetchval("SHOW server_version")
            finally:
                await conn.close()
            with tempfile.TemporaryDirectory(prefix="cso-bench-") as log_dir:
                await phases.run_all(url, Path(log_dir), plan, report, notes)
    finally:
        rows = report.ordered()
        run["seconds"] = round(time.perf_counter() - started, 1)
        run["machine"]["load_average_1m_after"] = os.getloadavg()[0]
        run["notes"] = notes
        lines = table(rows)
        print()
        box = run["machine"]
        print(
            f"make bench ({plan.mode}): {run['seconds']:.0f} s; {box['cpus']} CPUs shared by "
            f"load generator, servers and PostgreSQL {box.get('postgresql', '?')}; Python "
            f"{box['python']}; load average {box['load_average_1m']:.1f} before, "
            f"{box['load_average_1m_after']:.1f} after"
        )
        for note in notes:
            print(f"  {note}")
        print()
        for line in lines:
            print(line)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "latest.json").write_text(
            json.dumps(as_json(rows, run), indent=2, ensure_ascii=False) + "\n"
        )
        print()
        print(summary_line(rows))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a ~3-minute smoke run")
    parser.add_argument(
        "--district", action="store_true", help="also seed the district for target 10 (long)"
    )
    arguments = parser.parse_args()
    chosen = QUICK if arguments.quick else FULL
    sys.exit(event_loop.run(main(dataclasses.replace(chosen, district=arguments.district))))
