"""wrk, the load generator of `make bench`: POSTs JSON bodies at 32 connections and reports
throughput, latency percentiles and failed responses (bench/wrk/post.lua counts them)."""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).parent / "wrk" / "post.lua"
MARK = "BENCH_JSON "
CONNECTIONS = 32
THREADS = 2  # one per core: more only adds context switches on this 2-core machine


@dataclass(frozen=True)
class Run:
    """One wrk run: completed requests over `seconds`, latency percentiles in ms, and the
    responses that failed (HTTP status not 200, GraphQL errors, CONFLICT, socket errors)."""

    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    bad_status: int = 0
    conflicts: int = 0
    graphql_errors: int = 0
    socket_errors: int = 0
    timeouts: int = 0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def failures(self) -> int:
        """Every response that was not a plain success (CONFLICT included)."""
        return (
            self.bad_status
            + self.conflicts
            + self.graphql_errors
            + self.socket_errors
            + self.timeouts
        )


def parse_output(text: str) -> Run:
    """The Run of wrk's output; ValueError when post.lua's line is missing."""
    for line in text.splitlines():
        if line.startswith(MARK):
            return Run(**json.loads(line[len(MARK) :]))
    raise ValueError(f"no {MARK.strip()} line in wrk's output:\n{text[-2000:]}")


def wrk_binary() -> str:
    """wrk's path; RuntimeError naming the Debian package when it is not installed."""
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install -y wrk)")
    return found


async def run_wrk(
    url: str,
    bodies: list[str],
    seconds: float,
    authorization: str = "",
    connections: int = CONNECTIONS,
) -> Run:
    """POST `bodies` (JSON documents, taken in turn) to `url` for `seconds`."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as file:
        file.write("\n".join(bodies) + "\n")
        file.flush()
        process = await asyncio.create_subprocess_exec(
            wrk_binary(),
            f"-t{min(THREADS, connections)}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(SCRIPT),
            url,
            "--",
            file.name,
            authorization,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
    return parse_output(output.decode(errors="replace"))
