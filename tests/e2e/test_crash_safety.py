"""kill -9 of the API process and of the projection worker, at random moments, during heavy
writing and during catch-up (issue 12, crash safety): no acknowledged write is lost or
applied twice, and the read models equal a rebuild of them from the log."""

from __future__ import annotations

import asyncio
import os
import random
import time
from typing import Any

import asyncpg
import pytest

from cso.audit.replay_check import replay_check
from cso.database import connect
from cso.domain.enums import DOMAIN_ENUMS
from cso.eventstore import Codec
from cso.migrations import migrate
from cso.projections import ALL_PROJECTIONS
from tests.e2e.conftest import SECRET
from tests.e2e.restartable import Restartable
from tests.write_load import WriteLoad, caught_up, missing_or_duplicated

pytestmark = pytest.mark.slow

CRASHES = 10
# The worker's backlog: events after the checkpoint of the projection furthest behind,
# in commit order (as projectionStatus counts lagEvents).
BACKLOG = """
SELECT coalesce(max((SELECT count(*) FROM events e
                     WHERE (e.transaction_id, e.position) > (c.transaction_id, c.position))), 0)
FROM projection_checkpoints c"""


def test_ten_kill_9s_of_server_and_worker_lose_no_acknowledged_write_and_replay_equal(
    empty_database: str,
) -> None:
    seed = int(os.environ.get("CSO_CRASH_SEED", random.randrange(10**6)))
    print(f"crash schedule seed {seed} (CSO_CRASH_SEED repeats it)")
    asyncio.run(_crash_run(empty_database, random.Random(seed)))


async def _crash_run(url: str, chosen: random.Random) -> None:
    conn = await connect(url)
    try:
        await migrate(conn)  # before any process: they would race to migrate otherwise
    finally:
        await conn.close()
    env = {"CSO_DATABASE_URL": url, "CSO_JWT_SECRET": SECRET, "CSO_POOL_MAX_SIZE": "8"}
    api = Restartable({**env, "CSO_RUN_PROJECTIONS": "0"}, "serve")
    worker = Restartable(env, "projections", "run")
    await worker.start()
    await api.start()
    load = WriteLoad(lambda: api.url, SECRET)
    stop = asyncio.Event()
    try:
        await load.prepare()
        writing = asyncio.create_task(load.run(stop))
        # The worker's backlog at each of its kills: above 0, it was killed during catch-up.
        backlogs = [await _crash(chosen, api, worker, url, n) for n in range(CRASHES)]
        behind = [b for b in backlogs if b is not None]
        await asyncio.sleep(1)
        stop.set()
        await asyncio.wait_for(writing, 180)
        assert await caught_up(api.url, SECRET), "the worker did not catch up in 120 s"
        checked = await replay_check(url, ALL_PROJECTIONS, Codec(DOMAIN_ENUMS))
    finally:
        stop.set()
        api.stop()
        worker.stop()
    wrong = await missing_or_duplicated(url, load.acknowledged)
    retried = sum(a.retried for a in load.acknowledged)
    print(
        f"{api.kills} kill -9 of the server, {worker.kills} of the worker "
        f"({sum(b > 0 for b in behind)} of them during catch-up, the largest backlog "
        f"{max(behind, default=0)} events); "
        f"{len(load.acknowledged)} acknowledged writes ({retried} after a retry, "
        f"{load.retries} retries), {len(wrong)} lost or duplicated; replay: {checked.events} "
        f"events, {checked.rows} rows, {sum(checked.counts.values())} differences"
    )
    assert load.refused == []
    assert wrong == []
    assert checked.ok, [d.describe() for d in checked.differences]
    assert api.kills + worker.kills >= CRASHES
    assert len(load.acknowledged) > 200


async def _crash(
    chosen: random.Random, api: Restartable, worker: Restartable, url: str, n: int
) -> int | None:
    """Crash `n`: the worker on even ones (half of the time together with the server), the
    server on odd ones, after a random 1–4 s of writing; the killed process is started
    again after up to 2 s. After a worker's crash it comes back to a backlog, and the next
    crash comes within a second: during its catch-up. The worker's backlog when it was
    killed; None when only the server was."""
    after_worker = n % 2 == 1 and worker.kills > 0
    await asyncio.sleep(chosen.uniform(0.1, 1.0) if after_worker else chosen.uniform(1.0, 4.0))
    targets = [worker] if n % 2 == 0 else [api]
    if chosen.random() < 0.5:
        targets = [api, worker]
    backlog = await _backlog(url)
    started = time.monotonic()
    for target in targets:
        target.kill()
    await asyncio.sleep(chosen.uniform(0.0, 2.0))
    for target in targets:
        await target.start()
    print(
        f"crash {n + 1}: {[' '.join(t.args) for t in targets]} killed at a backlog of "
        f"{backlog} events, back in {time.monotonic() - started:.1f} s"
    )
    return backlog if worker in targets else None


async def _backlog(url: str) -> int:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(url)
    try:
        found: int = await conn.fetchval(BACKLOG)
        return found
    finally:
        await conn.close()
