"""What `make bench` sends and how it counts: the request bodies, wrk cells run in
interleaved rounds, the server's memory sampled, and freshness probes (a mutation, then the
time until every projection's checkpoint has passed its consistency token)."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import asyncpg
import httpx
import psutil
from api import SUPERVISOR_ID, Server  # bench/ is on sys.path when run as a script
from load import Run, run_wrk

from cso.services.identity import Role

if TYPE_CHECKING:
    from run import Plan

PAGE = (
    "query { projects(first: 20) { edges { node { id name stage cso { name } "
    "enterprise { name } requests { status } } } } }"
)
# PostGraphile's page: the same rows (the projects list's default order), fields and nesting.
PEER_PAGE = (
    "{ allRmProjects(first: 20, orderBy: [CREATED_AT_ASC, ID_ASC]) { nodes { id name stage "
    "cso { name } enterprise { name } requests { nodes { status } } } } }"
)
# The mutation as the bare route answers it: the service and the consistency token. (Asking
# for the payload's `project` too waits for the read models: read-your-writes.)
RECORD_SERVICE = """
mutation($input: RecordServiceInput!) {
  recordService(input: $input) { serviceId consistencyToken }
}
"""
CHECKPOINTS = """
SELECT transaction_id::text::bigint AS transaction_id, position FROM projection_checkpoints
WHERE name = ANY($1::text[])
"""
MIX_WRITES_EVERY = 20  # one recordService in 20 requests: the 95/5 mix
FRESHNESS_TIMEOUT = 5.0


def _body(query: str, **variables: Any) -> str:
    return json.dumps({"query": query, "variables": variables}, ensure_ascii=False)


def record_bodies(projects: list[UUID], today: str, count: int = 2_000) -> list[str]:
    """recordService requests spread over `projects` in turn."""
    return [
        _body(
            RECORD_SERVICE,
            input={
                "projectId": str(projects[n % len(projects)]),
                "kind": "VISIT",
                "summary": f"基准测试走访 #{n}",
                "occurredOn": today,
            },
        )
        for n in range(count)
    ]


def bare_record_bodies(projects: list[UUID], today: str, count: int = 2_000) -> list[str]:
    return [
        json.dumps(
            {
                "projectId": str(projects[n % len(projects)]),
                "kind": "VISIT",
                "summary": f"基准测试走访 #{n}",
                "occurredOn": today,
            },
            ensure_ascii=False,
        )
        for n in range(count)
    ]


def mix_bodies(projects: list[UUID], today: str) -> list[str]:
    """95% the page, 5% recordService, the writes spread through the sequence."""
    writes = iter(record_bodies(projects, today))
    return [
        next(writes) if n % MIX_WRITES_EVERY == MIX_WRITES_EVERY - 1 else _body(PAGE)
        for n in range(2_000)
    ]


def combined(runs: list[Run]) -> tuple[float, float]:
    """(requests per second over all rounds, median of the rounds' p50 in ms)."""
    requests = sum(r.requests for r in runs)
    seconds = sum(r.seconds for r in runs)
    return requests / seconds, statistics.median(r.p50_ms for r in runs)


Cell = Callable[[float], Awaitable[Run]]


async def interleaved(cells: dict[str, Cell], plan: Plan) -> dict[str, list[Run]]:
    """Each cell once untimed (warm-up), then `plan.rounds` rounds of every cell in turn."""
    for cell in cells.values():
        await cell(plan.warm_up)
    runs: dict[str, list[Run]] = {name: [] for name in cells}
    for _ in range(plan.rounds):
        for name, cell in cells.items():
            runs[name].append(await cell(plan.seconds))
    return runs


def failures(runs: dict[str, list[Run]]) -> str:
    """`name: N failed` for cells with failed responses, else ''."""
    found = [
        f"{name}: {sum(r.failures for r in rs)} of {sum(r.requests for r in rs)} failed"
        for name, rs in runs.items()
        if any(r.failures for r in rs)
    ]
    return "; ".join(found)


def response_cache_available() -> bool:
    """Whether the code under test reads CSO_RESPONSE_CACHE (another change adds it)."""
    import cso

    package = Path(cso.__file__).parent
    return any("CSO_RESPONSE_CACHE" in p.read_text() for p in package.rglob("*.py"))


class RssSampler:
    """The server's resident memory (with its children) every half second, in MB."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def _rss(self) -> float:
        processes = [self.process, *self.process.children(recursive=True)]
        total: int = sum(p.memory_info().rss for p in processes)
        return total / 2**20

    async def _run(self) -> None:
        while True:
            self.samples.append(self._rss())
            await asyncio.sleep(0.5)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self.samples.append(self._rss())


async def wait_visible(conn: asyncpg.Connection[Any], names: list[str], token: str) -> float:
    """Seconds until every projection's checkpoint has passed the consistency token's
    event (polled each millisecond); FRESHNESS_TIMEOUT if it has not by then."""
    from cso.eventstore.records import Checkpoint

    target = Checkpoint.from_token(token)
    wanted = (target.transaction_id, target.position)
    began = time.perf_counter()
    while (elapsed := time.perf_counter() - began) < FRESHNESS_TIMEOUT:
        rows = await conn.fetch(CHECKPOINTS, names)
        if len(rows) == len(names) and all(
            (r["transaction_id"], r["position"]) >= wanted for r in rows
        ):
            return elapsed
        await asyncio.sleep(0.001)
    return FRESHNESS_TIMEOUT


async def freshness_probes(
    server: Server,
    url: str,
    project: UUID,
    today: str,
    pause: float,
    until: Callable[[list[float]], bool],
) -> list[float]:
    """recordService, then the time from its response until the read models hold it, again
    and again (`pause` seconds apart) until `until(samples so far)` says to stop."""
    from cso.projections import ALL_PROJECTIONS

    names = [p.name for p in ALL_PROJECTIONS]
    headers = {
        **server.headers(Role.SUPERVISOR, SUPERVISOR_ID),
        "Content-Type": "application/json",
    }
    conn = await asyncpg.connect(url)
    samples: list[float] = []
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30, trust_env=False) as client:
            while not until(samples):
                body = record_bodies([project], today, 1)[0].replace("#0", f"#f{len(samples)}")
                response = await client.post("/graphql", content=body, headers=headers)
                token = response.json()["data"]["recordService"]["consistencyToken"]
                samples.append(await wait_visible(conn, names, token))
                await asyncio.sleep(pause)
    finally:
        await conn.close()
    return samples


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def wrk_cell(url: str, bodies: list[str], authorization: str = "") -> Cell:
    async def cell(seconds: float) -> Run:
        return await run_wrk(url, bodies, seconds, authorization)

    return cell
