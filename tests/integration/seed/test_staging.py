"""The seed's staging repository: commands run in memory, appends in batches."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import asyncpg
import pytest

from cso.database import scratch_database
from cso.domain.enterprise import Enterprise
from cso.domain.enums import DOMAIN_ENUMS, PartyOrganizationKind
from cso.domain.values import make_credit_code
from cso.eventstore import Codec, EventStore, Repository
from cso.seed import SEED_SUPERVISOR
from cso.seed.clock import SimulatedClock
from cso.seed.staging import StagingRepository
from cso.services import enterprises
from cso.services.application import Application, Command
from tests.integration.seed.conftest import migrated_application

DAY = date(2025, 3, 3)
BRANCH = PartyOrganizationKind.BRANCH


@pytest.fixture
async def pool(server_url: str) -> AsyncIterator[asyncpg.Pool[Any]]:
    async with scratch_database(server_url, "cso_staging") as url:
        pool, _ = await migrated_application(url)
        try:
            yield pool
        finally:
            await pool.close()


def staging(pool: asyncpg.Pool[Any]) -> tuple[StagingRepository, Application]:
    repository = StagingRepository(
        EventStore(pool), Codec(DOMAIN_ENUMS), SimulatedClock(DAY), snapshot_interval=3
    )
    return repository, Application(repository, repository.store, lambda: DAY)


async def register(app: Application, cmd: Command, code: str = "91440112MA5XY0123") -> Any:
    changed = await enterprises.register_enterprise(
        app,
        cmd,
        name="广州暂存科技有限公司",
        credit_code=make_credit_code(code),
        district="黄埔区",
        park=None,
        sme=True,
        chain_id=None,
    )
    return changed["enterprise"]


async def party(app: Application, cmd: Command, enterprise: Any, *members: int) -> None:
    for count in members:
        await enterprises.record_party_organization(
            app, cmd, enterprise_id=enterprise, kind=BRANCH, member_count=count
        )


async def test_staged_commands_append_nothing_until_flushed_and_read_their_own_writes(
    pool: asyncpg.Pool[Any],
) -> None:
    repository, app = staging(pool)
    cmd = Command(principal=SEED_SUPERVISOR, correlation_id="batch-1")
    enterprise = await register(app, cmd)
    await party(app, cmd, enterprise, 3, 4)
    assert await pool.fetchval("SELECT count(*) FROM events") == 0
    appended = await repository.flush()
    rows = await pool.fetch("SELECT version, transaction_id, metadata FROM events ORDER BY version")
    assert [row["version"] for row in rows] == list(range(1, appended + 1))
    assert appended >= 3
    assert len({row["transaction_id"] for row in rows}) == 1  # one batch, one append
    assert {row["metadata"]["clock"] for row in rows} == {"simulated"}


async def test_batches_keep_their_own_metadata_and_times_in_one_statement_in_order(
    pool: asyncpg.Pool[Any],
) -> None:
    repository, app = staging(pool)
    enterprise = await register(app, Command(principal=SEED_SUPERVISOR, correlation_id="a"))
    for n, members in enumerate((3, 4, 5)):
        await party(
            app, Command(principal=SEED_SUPERVISOR, correlation_id=f"b{n}"), enterprise, members
        )
    await repository.flush()
    rows = await pool.fetch(
        "SELECT metadata->>'correlation_id' AS c, min(recorded_at) AS first, "
        "max(recorded_at) AS last, count(DISTINCT transaction_id) AS transactions "
        "FROM events GROUP BY 1 ORDER BY min(version)"
    )
    assert [row["c"] for row in rows] == ["a", "b0", "b1", "b2"]  # a batch each, in order
    assert all(row["first"] == row["last"] for row in rows)  # a batch has one time
    times = [row["first"] for row in rows]
    assert times == sorted(times) and len(set(times)) == 4
    assert repository.appends == 1  # the same stream, continued: one statement
    assert await pool.fetchval("SELECT count(DISTINCT transaction_id) FROM events") == 1
    assert (await EventStore(pool).verify_stream(enterprise)).ok


async def test_a_batch_that_returns_to_an_earlier_stream_goes_in_a_statement_of_its_own(
    pool: asyncpg.Pool[Any],
) -> None:
    repository, app = staging(pool)
    first = await register(app, Command(principal=SEED_SUPERVISOR, correlation_id="a"))
    await flush_and(repository)
    second = await register(
        app, Command(principal=SEED_SUPERVISOR, correlation_id="b"), "91440112MA5XY0124"
    )
    await party(app, Command(principal=SEED_SUPERVISOR, correlation_id="c"), first, 3)
    await party(app, Command(principal=SEED_SUPERVISOR, correlation_id="d"), second, 4)
    await repository.flush()
    # b and c go together; d goes back to b's stream, which c's follows: a statement apart
    # (the append function chains an event onto the one before it only on its own stream).
    assert repository.appends == 2
    store = EventStore(pool)
    assert (await store.verify_stream(first)).ok and (await store.verify_stream(second)).ok


async def flush_and(repository: StagingRepository) -> None:
    await repository.flush()
    repository.appends = 0


async def test_staging_refuses_an_idempotency_key(pool: asyncpg.Pool[Any]) -> None:
    _, app = staging(pool)
    keyed = Command(principal=SEED_SUPERVISOR, correlation_id="a", idempotency_key="k")
    with pytest.raises(ValueError, match="idempotency"):
        await register(app, keyed)


async def test_a_snapshot_is_kept_only_at_the_version_its_append_ends_on(
    pool: asyncpg.Pool[Any],
) -> None:
    repository, app = staging(pool)
    cmd = Command(principal=SEED_SUPERVISOR, correlation_id="one-batch")
    enterprise = await register(app, cmd)
    await party(app, cmd, enterprise, 3)  # versions 1-3 (a first party organisation: 2)
    await repository.flush()  # one append ending on 3: a snapshot there
    await party(app, cmd, enterprise, 4, 5, 6, 7)  # 4-7: the one at 6 does not end it
    await repository.flush()
    versions = await pool.fetch("SELECT version FROM snapshots ORDER BY version")
    assert [row["version"] for row in versions] == [3]
    cold = Repository(EventStore(pool), Codec(DOMAIN_ENUMS), snapshot_interval=3)
    for version, members in ((3, 3), (6, 6), (7, 7)):
        loaded = await cold.get(enterprise, Enterprise, version=version)
        assert (loaded.version, loaded.party_member_count) == (version, members)
