"""`make soak`: a mixed load against a real `cso serve` for a while (10 minutes unless
SOAK_SECONDS or --seconds says otherwise), then a report; exit 1 when a limit fails.

The load: reads of several roles' queries (viewer, officer, auditor, supervisor), mutations
(recordService, raiseRequest, with idempotency keys) and two projectChanged subscriptions
over graphql-transport-ws. Limits: no error at all (a transport failure, a status other than
200, a GraphQL error, a subscription error or a subscription that saw nothing), and the
server's resident memory grows less than 10% from the end of the warm-up (a tenth of the run,
at least 10 s: caches and pools fill there) to the end. Latencies are each request's, client
side, in milliseconds.

The database: a scratch database on CSO_TEST_DATABASE_URL's server (dropped afterwards), or
on the embedded PostgreSQL when that is unset.

    python -m tests.soak [--seconds N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from httpx_ws import aconnect_ws

from cso.database import connect, embedded_database_url, scratch_database
from cso.graphql.auth import issue_token
from cso.migrations import migrate
from cso.services.identity import Role
from tests.e2e.restartable import Restartable
from tests.integration.graphql import support
from tests.integration.graphql.support import SUPERVISOR_ID, OverHttp, mutation

ROOT = Path(__file__).resolve().parent.parent
SECRET = "soak-secret-that-is-long-enough-for-hs256"
DEFAULT_SECONDS = 600.0
MAX_GROWTH = 0.10
CLIENTS = 6
# Writes spread over this many projects: a handful would grow into aggregates of thousands
# of services each, whose growth in memory (the repository caches them) is the data's, not
# a leak's.
PROJECTS = 24
WRITE_SHARE = 0.2

READS: list[tuple[Role, str]] = [
    (Role.VIEWER, "{ projects(first: 20) { totalCount edges { node { id name stage } } } }"),
    (Role.VIEWER, "{ dashboard { openRequests overdueRequests onTimeResolutionRate } }"),
    (Role.VIEWER, "{ enterpriseRequests(first: 20) { totalCount edges { node { id status } } } }"),
    (Role.SUPERVISOR, "{ enterprises(first: 20) { totalCount edges { node { id name } } } }"),
    (Role.SUPERVISOR, "{ officers(first: 20) { edges { node { id name roles } } } }"),
    (Role.AUDITOR, "{ auditLog(first: 20) { edges { node { type position } } } }"),
    (Role.AUDITOR, "{ projectionStatus { name lagEvents } }"),
]
PROJECT = """query($id: ID!) { project(id: $id) { name stage version
  services(first: 10) { totalCount edges { node { kind summary } } } requests { id status } } }"""
RECORD = mutation("recordService", "serviceId consistencyToken")
RAISE = mutation("raiseRequest", "requestId consistencyToken")
PROJECT_CHANGED = "subscription($id: ID!) { projectChanged(id: $id) { id version } }"


@dataclass
class Tally:
    """What the load saw: latencies (ms) per request, errors (first few kept), events."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    shown_errors: list[str] = field(default_factory=list)
    writes: int = 0
    events: int = 0

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.shown_errors) < 10:
            self.shown_errors.append(what[:300])


def rss_bytes(pid: int) -> int:
    """The resident set of process `pid`, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def token(role: Role, sub: str = SUPERVISOR_ID) -> str:
    return issue_token(SECRET, sub=sub, role=role, name="Soak", dept="QA")


async def _world(url: str) -> tuple[list[str], list[str]]:
    """PROJECTS projects to work on and their CSOs: (project ids, officer ids)."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        gql = OverHttp(client, SECRET)
        pairs = [await support.project_with_cso(gql) for _ in range(PROJECTS)]
    return [p for p, _ in pairs], [o for _, o in pairs]


async def _client(
    url: str, projects: list[str], officers: list[str], until: float, tally: Tally, n: int
) -> None:
    chosen = random.Random(n)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        while time.monotonic() < until:
            at = chosen.randrange(len(projects))
            if chosen.random() < WRITE_SHARE:
                tally.writes += 1
                query, variables, role, sub = _write(chosen, projects[at], officers[at])
            elif chosen.random() < 0.3:
                query, variables = PROJECT, {"id": projects[at]}
                role, sub = Role.OFFICER, officers[at]
            else:
                role, query = chosen.choice(READS)
                variables, sub = {}, SUPERVISOR_ID
            await _request(client, query, variables, token(role, sub), tally)


def _write(
    chosen: random.Random, project_id: str, officer_id: str
) -> tuple[str, dict[str, Any], Role, str]:
    tag = uuid.uuid4().hex[:8]
    key = {"idempotencyKey": f"soak-{tag}"}
    if chosen.random() < 0.7:
        service = support.service_input(project_id, f"走访{tag}")["input"]
        return RECORD, {"input": {**service, **key}}, Role.OFFICER, officer_id
    raised = {"projectId": project_id, "category": "POLICY", "description": f"诉求{tag}", **key}
    return RAISE, {"input": raised}, Role.SUPERVISOR, SUPERVISOR_ID


async def _request(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], bearer: str, tally: Tally
) -> None:
    started = time.perf_counter()
    try:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {bearer}"},
        )
    except httpx.TransportError as exc:
        tally.error(f"{type(exc).__name__}: {exc}")
        return
    tally.latencies.append((time.perf_counter() - started) * 1000)
    if response.status_code != 200:
        tally.error(f"HTTP {response.status_code}: {response.text}")
    elif errors := response.json().get("errors"):
        tally.error(str(errors))


async def _subscriber(url: str, project_id: str, until: float, tally: Tally) -> None:
    """projectChanged on one project until `until`; each event counted, anything else an
    error."""
    async with (
        httpx.AsyncClient(base_url=url) as client,
        aconnect_ws("/graphql", client, subprotocols=["graphql-transport-ws"]) as ws,  # type: ignore[var-annotated]
    ):
        bearer = {"Authorization": f"Bearer {token(Role.VIEWER)}"}
        await ws.send_json({"type": "connection_init", "payload": bearer})
        ack = await ws.receive_json(timeout=10)
        if ack.get("type") != "connection_ack":
            tally.error(f"subscription not acknowledged: {ack}")
            return
        subscribe = {"query": PROJECT_CHANGED, "variables": {"id": project_id}}
        await ws.send_json({"id": "1", "type": "subscribe", "payload": subscribe})
        while (left := until - time.monotonic()) > 0:
            try:
                message = await ws.receive_json(timeout=min(left, 5.0))
            except TimeoutError:
                continue
            if message.get("type") == "next" and not message["payload"].get("errors"):
                tally.events += 1
            else:
                tally.error(f"subscription: {message}")
                return
        await ws.send_json({"id": "1", "type": "complete"})


async def _memory(pid: int, warm_up: float, until: float) -> tuple[int, int, int]:
    """RSS at boot, at the end of the warm-up and at `until` (bytes)."""
    boot = rss_bytes(pid)
    await asyncio.sleep(max(0.0, warm_up))
    warm = rss_bytes(pid)
    await asyncio.sleep(max(0.0, until - time.monotonic()))
    return boot, warm, rss_bytes(pid)


@contextlib.asynccontextmanager
async def _database() -> AsyncIterator[str]:
    server = os.environ.get("CSO_TEST_DATABASE_URL") or embedded_database_url(
        ROOT / ".cso" / "test"
    )
    async with scratch_database(server, "cso_soak") as url:
        conn = await connect(url)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        yield url


async def soak(seconds: float) -> dict[str, Any]:
    """Run the soak for `seconds`; its figures (see `report`)."""
    async with _database() as database_url:
        env = {"CSO_DATABASE_URL": database_url, "CSO_JWT_SECRET": SECRET}
        server = Restartable(env, "serve")
        await server.start()
        try:
            assert server.process is not None
            projects, officers = await _world(server.url)
            tally = Tally()
            until = time.monotonic() + seconds
            warm_up = max(10.0, seconds / 10)
            memory = asyncio.create_task(_memory(server.process.pid, warm_up, until))
            await asyncio.gather(
                *(_client(server.url, projects, officers, until, tally, n) for n in range(CLIENTS)),
                *(_subscriber(server.url, p, until, tally) for p in projects[:2]),
            )
            boot, warm, end = await memory
        finally:
            server.stop()
    if tally.events == 0:
        tally.error("the subscriptions saw no event")
    quantiles = statistics.quantiles(tally.latencies, n=100) if len(tally.latencies) > 1 else []
    return {
        "seconds": seconds,
        "requests": len(tally.latencies),
        "writes": tally.writes,
        "subscription_events": tally.events,
        "errors": tally.errors,
        "first_errors": tally.shown_errors,
        "p50_ms": quantiles[49] if quantiles else 0.0,
        "p99_ms": quantiles[98] if quantiles else 0.0,
        "rss_boot_mb": boot / 2**20,
        "rss_start_mb": warm / 2**20,
        "rss_end_mb": end / 2**20,
        "rss_growth": (end - warm) / warm,
    }


def failures(figures: dict[str, Any]) -> list[str]:
    """The limits `figures` break: errors, and memory growth of MAX_GROWTH or more."""
    failed = []
    if figures["errors"]:
        failed.append(f"{figures['errors']} error(s): {figures['first_errors']}")
    if figures["rss_growth"] >= MAX_GROWTH:
        failed.append(f"RSS grew {figures['rss_growth']:.1%} (limit {MAX_GROWTH:.0%})")
    return failed


def report(figures: dict[str, Any]) -> str:
    return (
        f"soak {figures['seconds']:.0f} s: {figures['requests']} requests "
        f"({figures['writes']} writes, {figures['requests'] / figures['seconds']:.1f}/s), "
        f"{figures['subscription_events']} subscription events, {figures['errors']} errors; "
        f"latency p50 {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms; server RSS "
        f"{figures['rss_boot_mb']:.1f} MB at boot, {figures['rss_start_mb']:.1f} MB after "
        f"warm-up, {figures['rss_end_mb']:.1f} MB at the end ({figures['rss_growth']:+.1%})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", DEFAULT_SECONDS))
    )
    figures = asyncio.run(soak(parser.parse_args().seconds))
    print(report(figures))
    failed = failures(figures)
    for failure in failed:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
