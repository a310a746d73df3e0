"""`cso seed --scale FRACTION`: a sliver of the district, through the real command (its
lanes in worker processes), and the same sliver written by one process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from cso.database import create_pool, scratch_database
from cso.domain.enums import DOMAIN_ENUMS
from cso.domain.values import make_credit_code
from cso.eventstore import Codec, EventStore, Listener
from cso.projections import ALL_PROJECTIONS
from cso.projections.runner import ProjectionRunner
from cso.seed import SEED_SUPERVISOR
from cso.services import enterprises
from cso.services.application import Command
from tests.integration.seed.conftest import application

CSO = str(Path(sys.executable).parent / "cso")
# 80 enterprises, 20 units, 40 applications, 10 projects with 30 requests, 4 postings with
# 170 problems
FRACTION = "0.002"


@dataclass
class District:
    pool: asyncpg.Pool[Any]
    output: str
    url: str


async def run_cso(url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        [CSO, *arguments],
        env={**os.environ, "CSO_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )


@asynccontextmanager
async def seeded_district(server_url: str, name: str, workers: int) -> AsyncIterator[District]:
    async with scratch_database(server_url, name) as url:
        done = await run_cso(url, "seed", "--scale", FRACTION, "--workers", str(workers))
        assert done.returncode == 0, done.stderr
        pool = await create_pool(url, min_size=1, max_size=2)
        try:
            yield District(pool, done.stdout, url)
        finally:
            await pool.close()


@pytest.fixture(scope="module")
async def district(server_url: str) -> AsyncIterator[District]:
    async with seeded_district(server_url, "cso_district", workers=3) as seeded:
        yield seeded


async def streams(pool: asyncpg.Pool[Any]) -> dict[str, int]:
    rows = await pool.fetch(
        "SELECT stream_type, count(DISTINCT stream_id) FROM events GROUP BY stream_type"
    )
    return dict(rows)  # type: ignore[arg-type]


async def test_a_fraction_of_the_district_is_seeded_beside_the_demo(district: District) -> None:
    counts = await streams(district.pool)
    assert counts["Enterprise"] == 41 + 80
    assert counts["HousingUnit"] == 300 + 20
    assert counts["HousingApplication"] == 36 + 40
    assert counts["Project"] == 40 + 10
    assert counts["SecretaryPosting"] == 8 + 4
    assert counts["EnterpriseRequest"] >= 0.95 * 200 + 40
    assert "events in" in district.output and "events/s" in district.output


async def test_the_districts_steps_are_appended_in_batches_of_many_events(
    district: District,
) -> None:
    biggest = await district.pool.fetchval(
        "SELECT max(n) FROM (SELECT count(*) AS n FROM events GROUP BY transaction_id) t"
    )
    assert biggest >= 100  # the supervisor's first week: enterprises, units, officers


async def test_the_districts_housing_leaves_the_waitlist_empty_before_the_demos(
    district: District,
) -> None:
    applications = await district.pool.fetchval(
        "SELECT count(*) FROM events WHERE type LIKE '%HousingApplication.UnitAllocated'"
    )
    assert applications > 16  # the demo's allocations, and the district's
    passed_over = await district.pool.fetchval(
        "SELECT count(*) FROM events WHERE type LIKE '%HousingApplication.UnitAllocated' "
        "AND jsonb_array_length(data->'passed_over') > 0"
    )
    assert passed_over == 1  # only the demo's one allocation made with a reason


async def test_every_district_stream_verifies_and_every_event_is_simulated(
    district: District,
) -> None:
    store = EventStore(district.pool)
    for row in await district.pool.fetch("SELECT DISTINCT stream_id FROM events"):
        assert (await store.verify_stream(row["stream_id"])).ok
    unmarked = await district.pool.fetchval(
        "SELECT count(*) FROM events WHERE metadata->>'clock' IS DISTINCT FROM 'simulated'"
    )
    assert unmarked == 0


async def test_after_the_seed_a_server_records_the_databases_time(district: District) -> None:
    app = application(district.pool)
    cmd = Command(principal=SEED_SUPERVISOR, correlation_id="after-the-seed")
    changed = await enterprises.register_enterprise(
        app,
        cmd,
        name="广州种子之后科技有限公司",
        credit_code=make_credit_code("91440112MA5XY0123"),
        district="黄埔区",
        park=None,
        sme=True,
        chain_id=None,
    )
    row = await district.pool.fetchrow(
        "SELECT recorded_at, metadata, now() AS now FROM events WHERE stream_id = $1",
        changed["enterprise"],
    )
    assert "clock" not in row["metadata"]
    assert abs(row["now"] - row["recorded_at"]) < timedelta(minutes=1)


async def test_the_district_verifies_and_its_read_models_equal_a_replay_of_the_log(
    district: District,
) -> None:
    verified = await run_cso(district.url, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    listener = Listener(district.url)
    await listener.start()
    store = EventStore(district.pool)
    newest = await store.newest()  # not "what there is": an open transaction holds that back
    try:
        for projection in ALL_PROJECTIONS:
            runner = ProjectionRunner(
                projection,
                database_url=district.url,
                store=store,
                codec=Codec(DOMAIN_ENUMS),
                listener=listener,
            )
            await runner.catch_up_to(newest, timeout=120)
    finally:
        await listener.stop()
    checked = await run_cso(district.url, "replay", "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


async def test_no_streams_recorded_time_goes_back(district: District) -> None:
    backwards = await district.pool.fetchval(
        "SELECT count(*) FROM (SELECT recorded_at < lag(recorded_at) OVER "
        "(PARTITION BY stream_id ORDER BY version) AS back FROM events) t WHERE back"
    )
    assert backwards == 0


async def test_one_process_writes_the_same_streams_and_events_as_several(
    server_url: str, district: District
) -> None:
    async with seeded_district(server_url, "cso_district_one", workers=1) as alone:
        # The seed's own events: another test appends to the shared district afterwards.
        seeded = (
            "SELECT stream_type, count(DISTINCT stream_id), count(*) FROM events "
            "WHERE metadata->>'clock' = 'simulated' GROUP BY stream_type ORDER BY stream_type"
        )
        one = [tuple(row) for row in await alone.pool.fetch(seeded)]
        assert one == [tuple(row) for row in await district.pool.fetch(seeded)]
