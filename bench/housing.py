"""Talent housing at the seeds' scale: allocation latency, a waitlist page, and a race.

Run by hand: `python bench/housing.py [--units 10000 --applications 20000]`. It uses
CSO_DATABASE_URL, else CSO_TEST_DATABASE_URL, else the embedded PostgreSQL, and creates (then
drops) a database of its own. It loads the units and applications through the use cases
(each application submitted, given a CASO and approved onto the waitlist), then prints:

- p50/p95 of `allocate_housing_unit` (the use case: application, unit and waitlist in one
  append, the waitlist's passed-over check included) of the waitlist's head while the
  list is long, once the projections (running in this process) have caught up;
- p50/p95 of a 20-row page of the waitlist from the read model, with positions and count,
  as the load left the table and after VACUUM ANALYZE (what autovacuum does in time);
- 16 clients, each an Application of its own (as separate processes: own locks and cache),
  racing for 100 units: allocations that succeeded, and double allocations (must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from common import when_the_server_has_room  # bench/ is on sys.path when run as a script

from cso.database import connect, create_pool, resolve_database_url, scratch_database
from cso.domain.enums import DOMAIN_ENUMS, ApplicationStatus, OfficerRole, TalentTier
from cso.domain.errors import RuleViolation
from cso.domain.id_number import make_id_number
from cso.domain.values import make_credit_code
from cso.domain.waitlist import WAITLIST_ID, Waitlist
from cso.eventstore import Codec, EventStore, Listener, Repository
from cso.migrations import migrate
from cso.projections import ALL_PROJECTIONS
from cso.projections.housing import APPLICATIONS
from cso.projections.supervisor import ProjectionSupervisor
from cso.services import enterprises, housing, officers
from cso.services.application import Application, Command
from cso.services.identity import Principal, Role
from cso.settings import Settings

SUPERVISOR = Principal(id=str(uuid.uuid4()), role=Role.SUPERVISOR, name="Bench", dept="区委组织部")
CASOS = 50
CONCURRENCY = 32
LEASE_END = date.today() + timedelta(days=3 * 365)
WAITLIST_PARAMS = [ApplicationStatus.APPROVED.value, None, None, None, None]


def cmd(principal: Principal = SUPERVISOR, reason: str | None = None) -> Command:
    return Command(principal=principal, correlation_id=str(uuid.uuid4()), reason=reason)


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=20)
    return f"p50 {statistics.median(samples) * 1000:.1f} ms, p95 {cuts[18] * 1000:.1f} ms"


async def in_batches(calls: list[Any]) -> list[Any]:
    results: list[Any] = []
    for start in range(0, len(calls), CONCURRENCY):
        results += await asyncio.gather(*(c() for c in calls[start : start + CONCURRENCY]))
    return results


async def load(
    app: Application, units: int, applications: int
) -> tuple[dict[uuid.UUID, int], dict[uuid.UUID, int]]:
    """Lists the units and approves the applications; returns each unit's capacity and
    each application's household size."""
    employer = (
        await enterprises.register_enterprise(
            app,
            cmd(),
            name="琶洲数字科技",
            credit_code=make_credit_code("91440101000000001"),
            district="海珠区",
            park=None,
            sme=False,
            chain_id=None,
        )
    )["enterprise"]
    casos = [
        (
            await officers.register_officer(
                app,
                cmd(),
                name=f"安居官{i}",
                department="区人才工作局",
                roles=[OfficerRole.CASO],
                party_member=True,
                phone="13800001234",
            )
        )["officer"]
        for i in range(CASOS)
    ]
    rng = random.Random(7)

    rooms = [rng.choice((1, 2, 2, 3)) for _ in range(units)]

    def unit_call(i: int) -> Any:
        return lambda: housing.list_housing_unit(
            app,
            cmd(),
            building=f"琶洲人才公寓{i % 12 + 1}栋",
            unit_no=f"{i // 12 + 1:04d}",
            rooms=rooms[i],
            area_sqm=Decimal(60),
            monthly_rent=Decimal(rng.randrange(1500, 4000)),
        )

    started = time.perf_counter()
    unit_ids = [c["unit"] for c in await in_batches([unit_call(i) for i in range(units)])]
    capacities = dict(zip(unit_ids, (2 * r for r in rooms), strict=True))  # n <= 2 x rooms
    print(f"listed {units} units in {time.perf_counter() - started:.1f} s")

    households = [rng.choice((1, 2, 3, 4)) for _ in range(applications)]

    def application_call(i: int) -> Any:
        async def run() -> uuid.UUID:
            caso = casos[i % CASOS]
            applied = await housing.apply_for_housing(
                app,
                cmd(),
                applicant_name=f"人才{i}",
                id_number=_person(i),
                phone="13912345678",
                employer_id=employer,
                tier=rng.choice(list(TalentTier)),
                household_size=households[i],
            )
            application_id = applied["application"]
            await housing.assign_caso(app, cmd(), application_id=application_id, officer_id=caso)
            await housing.approve_housing_application(app, cmd(), application_id=application_id)
            return application_id

        return run

    started = time.perf_counter()
    waiting = await in_batches([application_call(i) for i in range(applications)])
    elapsed = time.perf_counter() - started
    print(f"submitted, assigned and approved {applications} applications in {elapsed:.1f} s")
    return capacities, dict(zip(waiting, households, strict=True))


async def settled(app: Application, supervisor: ProjectionSupervisor) -> None:
    """Returns once the read models include every write so far (a write's token)."""
    token = (
        await housing.list_housing_unit(
            app,
            cmd(),
            building="bench",
            unit_no=uuid.uuid4().hex[:10],
            rooms=1,
            area_sqm=Decimal(1),
            monthly_rent=Decimal(1),
        )
    ).token
    assert await supervisor.wait_for(token, timeout=1200), "projections did not catch up"


async def allocate(
    app: Application, application_id: uuid.UUID, unit_id: uuid.UUID, reason: str | None
) -> None:
    """One allocation until the lease ends; RuleViolation when the rules refuse it."""
    await housing.allocate_housing_unit(
        app,
        cmd(reason=reason),
        application_id=application_id,
        unit_id=unit_id,
        lease_end=LEASE_END,
    )


def _person(i: int) -> str:
    """The i-th applicant's own ID number: one open application per person is a rule."""
    born = date(1990, 1, 1) + timedelta(days=i // 1000)
    return make_id_number(f"440106{born:%Y%m%d}{i % 1000:03d}")


async def bench(url: str, units: int, applications: int, samples: int) -> None:
    conn = await connect(url)
    await migrate(conn)
    await conn.close()
    pool = await when_the_server_has_room(lambda: create_pool(url, min_size=2, max_size=40))
    store = EventStore(pool)
    codec = Codec(DOMAIN_ENUMS)
    app = Application(Repository(store, codec), store, date.today)
    listener = Listener(url, poll_interval=0.1)
    await listener.start()
    supervisor = ProjectionSupervisor(
        ALL_PROJECTIONS, database_url=url, store=store, codec=codec, listener=listener
    )
    await supervisor.start()
    try:
        capacities, households = await load(app, units, applications)
        started = time.perf_counter()
        await settled(app, supervisor)
        print(f"projections caught up {time.perf_counter() - started:.1f} s after the load")
        free = list(capacities)
        # A CASO allocates the head of the waitlist to the first free unit that fits it (so
        # nobody is passed over): the waitlist's whole check runs, on a list still long.
        timings = []
        for _ in range(samples):
            waitlist = await app.repository.get(WAITLIST_ID, Waitlist)
            head = waitlist.ordered()[0]
            unit_id = next(u for u in free if capacities[u] >= households[head])
            free.remove(unit_id)
            started = time.perf_counter()
            await allocate(app, head, unit_id, None)
            timings.append(time.perf_counter() - started)
        print(
            f"allocateHousingUnit ({len(timings)} samples, waitlist {waitlist.size} long): "
            f"{percentiles(timings)}"
        )

        await settled(app, supervisor)
        for state in ("as the projection left it", "after VACUUM ANALYZE (as autovacuum does)"):
            if state.startswith("after"):
                await pool.execute("VACUUM ANALYZE rm_housing_applications")
            page_timings = []
            for _ in range(samples):
                started = time.perf_counter()
                _, rows = await APPLICATIONS.fetch(pool, WAITLIST_PARAMS, "WAITLIST:ASC", 20, None)
                await APPLICATIONS.count(pool, WAITLIST_PARAMS)
                page_timings.append(time.perf_counter() - started)
            positions = [r["waitlist_position"] for r in rows[:20]]  # (and one more, if any)
            assert positions == list(range(1, 21)), positions
            print(f"20-row waitlist page with positions and count, {state}: ", end="")
            print(percentiles(page_timings))

        waitlist = await app.repository.get(WAITLIST_ID, Waitlist)
        await race(app, store, codec, waitlist.ordered(), free[:100])
    finally:
        await supervisor.stop()
        await listener.stop()
        await pool.close()


async def race(
    app: Application,
    store: EventStore,
    codec: Codec,
    waiting: list[uuid.UUID],
    units: list[uuid.UUID],
) -> None:
    """Each client takes the next application on the waitlist and a random unit of the
    hundred: one an earlier taker has not yet allocated is passed over, hence a reason."""
    clients = [Application(Repository(store, codec), store, date.today) for _ in range(16)]
    queue = list(reversed(waiting))  # popped from the end: the head first
    succeeded = refused = 0
    started = time.perf_counter()

    async def client(client_app: Application) -> None:
        nonlocal succeeded, refused
        rng = random.Random(id(client_app))
        while queue:
            application_id = queue.pop()
            unit_id = rng.choice(units)
            try:
                await allocate(client_app, application_id, unit_id, "race")
                succeeded += 1
            except RuleViolation:  # taken by another client, or too small for the household
                refused += 1
            if succeeded >= len(units):
                return

    await asyncio.wait_for(asyncio.gather(*(client(c) for c in clients)), timeout=600)
    elapsed = time.perf_counter() - started
    doubles = await store.pool.fetchval(
        """SELECT count(*) FROM (SELECT stream_id FROM events WHERE stream_id = ANY($1::uuid[])
           AND type LIKE '%.Allocated' GROUP BY stream_id HAVING count(*) > 1) d""",
        units,
    )
    print(
        f"16 clients racing for {len(units)} units: {succeeded} allocations succeeded, "
        f"{refused} refused, {doubles} double allocations, "
        f"{(succeeded + refused) / elapsed:.0f} attempts/s ({app.reruns} re-runs in the loader)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    configured = os.environ.get("CSO_DATABASE_URL") or os.environ.get("CSO_TEST_DATABASE_URL")
    server_url = resolve_database_url(configured, Settings.from_env().data_dir)

    async def run() -> None:
        async with scratch_database(server_url, "cso_bench_housing") as url:
            await bench(url, args.units, args.applications, args.samples)

    asyncio.run(run())


if __name__ == "__main__":
    main()
