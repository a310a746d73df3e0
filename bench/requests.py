"""Requests benchmark: a department's 20-row queue page with 100,000 requests in the read
model, and the raiseRequest and logEnterpriseProblem use cases.

Run by hand: `python bench/requests.py [--requests N] [--samples N]`. It uses
CSO_DATABASE_URL, else CSO_TEST_DATABASE_URL, else the embedded PostgreSQL, and creates (then
drops) a database of its own there. The read model is filled directly with SQL (1,000
projects, requests spread over 20 departments, a fifth of them joint, half resolved); the
queue page runs the statements the `enterpriseRequests` resolver runs (the page and its
totalCount) on one pool connection, beside a floor (`SELECT 1`). raiseRequest runs the use
case in process (authorise, load the project, read the year's calendars, count the working
days, append the new EnterpriseRequest with its project) on 50 projects in turn;
logEnterpriseProblem likewise on 50 postings. Figures are in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg

from cso.database import connect, create_pool, resolve_database_url, scratch_database
from cso.domain.enums import DOMAIN_ENUMS, OfficerRole, RequestCategory
from cso.domain.values import make_credit_code
from cso.eventstore import Codec, EventStore, Repository
from cso.migrations import migrate
from cso.projections.request_queries import REQUESTS
from cso.services import enterprises, officers, postings, projects, requests
from cso.services.application import Application, Command
from cso.services.identity import Principal, Role
from cso.settings import Settings

TODAY = date(2026, 11, 20)
DEPARTMENTS = [f"区第{n:02d}局" for n in range(20)]
SUPERVISOR = Principal(id=str(uuid.uuid4()), role=Role.SUPERVISOR, name="Bench", dept="区委")

FILL_PROJECTS = """
INSERT INTO rm_projects (id, enterprise_id, name, investment, district, latest_milestone, stage,
                         signed_on, version, created_at, updated_at)
SELECT gen_random_uuid(), gen_random_uuid(), 'project ' || n, 1000, '黄埔区', 'SIGNED',
       'SIGNED', DATE '2025-01-01', 1, now(), now()
FROM generate_series(1, 1000) AS n
"""

# Departments: the lead is n % 20; every fifth request is joint with the next department.
FILL_REQUESTS = """
WITH p AS (SELECT id, enterprise_id, row_number() OVER (ORDER BY id) - 1 AS k
           FROM rm_projects),
     r AS (SELECT n, (n % 1000) AS k, DATE '2026-01-01' + (n % 320) AS raised_on
           FROM generate_series(1, $1::integer) AS n)
INSERT INTO rm_requests (id, project_id, seq, category, description, status, departments,
                         joint, raised_on, due_on, overdue_from, due_soon_from, resolved_on,
                         on_time, version, created_at, updated_at, calendar_source, source,
                         enterprise_id, open, own_stream)
SELECT gen_random_uuid(), p.id, r.n, 'PERMIT', 'request ' || r.n,
       CASE WHEN r.n % 2 = 0 THEN 'RESOLVED' ELSE 'REFERRED' END,
       CASE WHEN r.n % 5 = 0
            THEN ARRAY[($2::text[])[(r.n % 20) + 1], ($2::text[])[((r.n + 1) % 20) + 1]]
            ELSE ARRAY[($2::text[])[(r.n % 20) + 1]] END,
       r.n % 5 = 0, r.raised_on, r.raised_on + 7,
       CASE WHEN r.n % 2 = 0 THEN NULL ELSE r.raised_on + 8 END,
       CASE WHEN r.n % 2 = 0 THEN NULL ELSE r.raised_on + 5 END,
       CASE WHEN r.n % 2 = 0 THEN r.raised_on + 3 END,
       CASE WHEN r.n % 2 = 0 THEN true END,
       r.n, now(), now(), 'LIBRARY', 'PROJECT', p.enterprise_id, r.n % 2 <> 0, true
FROM r JOIN p USING (k)
"""


def command() -> Command:
    return Command(principal=SUPERVISOR, correlation_id=str(uuid.uuid4()))


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100)
    return f"p50 {cuts[49]:7.2f} ms   p95 {cuts[94]:7.2f} ms   (n={len(samples)})"


async def timed(run: Callable[[], Awaitable[Any]], samples: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        await run()
    taken: list[float] = []
    for _ in range(samples):
        start = time.perf_counter()
        await run()
        taken.append((time.perf_counter() - start) * 1000)
    return taken


def queue_params(department: str, overdue: bool | None) -> list[object]:
    return [department, None, overdue, TODAY, None, None, None, None, None, None, None, None]


async def bench_queue(pool: asyncpg.Pool[Any], count: int, samples: int) -> None:
    await pool.execute(FILL_PROJECTS)
    await pool.execute(FILL_REQUESTS, count, DEPARTMENTS)
    await pool.execute("ANALYZE rm_requests; ANALYZE rm_projects")
    total = await pool.fetchval("SELECT count(*) FROM rm_requests")
    print(f"read model: {total} requests, {len(DEPARTMENTS)} departments")
    async with pool.acquire() as conn:

        async def floor() -> None:
            await conn.fetchval("SELECT 1")

        def page(overdue: bool | None, counted: bool = True) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                params = queue_params(DEPARTMENTS[3], overdue)
                _, rows = await REQUESTS.fetch(conn, params, "DUE_ON:ASC", 20, None)
                assert len(rows) == 21
                if counted:  # the resolver counts only when totalCount is asked for
                    await REQUESTS.count(conn, params)

            return run

        for label, run in [
            ("floor SELECT 1", floor),
            ("queue page (department), no count", page(None, counted=False)),
            ("queue page (department) + count", page(None)),
            ("queue page (department, overdue) + count", page(True)),
        ]:
            print(f"{label:42}", percentiles(await timed(run, samples, 50)))


async def new_enterprise(app: Application, n: int) -> uuid.UUID:
    digits = f"{uuid.uuid4().int % 10**9:09d}"
    enterprise = await enterprises.register_enterprise(
        app,
        command(),
        name=f"企业 {n}",
        credit_code=make_credit_code(f"91440101{digits}"),
        district="黄埔区",
        park=None,
        sme=True,
        chain_id=None,
    )
    return enterprise["enterprise"]


async def bench_raise(app: Application, samples: int) -> None:
    project_ids = []
    for n in range(50):
        project = await projects.register_project(
            app,
            command(),
            enterprise_id=await new_enterprise(app, n),
            name=f"项目 {n}",
            investment=Decimal("1000"),
            chain_id=None,
            signed_on=date(2026, 1, 5),
        )
        project_ids.append(project["project"])
    turn = iter(range(10**9))

    async def raise_one() -> None:
        await requests.raise_request(
            app,
            command(),
            project_id=project_ids[next(turn) % len(project_ids)],
            category=RequestCategory.PERMIT,
            description="施工许可加急",
            received_on=date(2026, 9, 30),
        )

    print(
        f"{'raiseRequest (use case, in process)':42}",
        percentiles(await timed(raise_one, samples, 30)),
    )


async def bench_log_problem(app: Application, samples: int) -> None:
    posting_ids = []
    for n in range(50):
        officer = await officers.register_officer(
            app,
            command(),
            name=f"书记 {n}",
            department="区委组织部",
            roles=[OfficerRole.FIRST_SECRETARY],
            party_member=True,
            phone="13800001234",
        )
        posting = await postings.post_first_secretary(
            app,
            command(),
            enterprise_id=await new_enterprise(app, 100 + n),
            officer_id=officer["officer"],
            sending_unit="区委组织部",
            term_start=date(2026, 1, 5),
            term_end=date(2028, 1, 4),
        )
        posting_ids.append(posting["posting"])
    turn = iter(range(10**9))

    async def log_one() -> None:
        await postings.log_enterprise_problem(
            app,
            command(),
            posting_id=posting_ids[next(turn) % len(posting_ids)],
            description="急需招聘测试工程师",
            category=RequestCategory.TALENT,
            received_on=date(2026, 9, 30),
        )

    print(
        f"{'logEnterpriseProblem (use case, in proc.)':42}",
        percentiles(await timed(log_one, samples, 30)),
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    configured = os.environ.get("CSO_DATABASE_URL") or os.environ.get("CSO_TEST_DATABASE_URL")
    server = resolve_database_url(configured, Settings.from_env().data_dir)
    async with scratch_database(server, "bench_requests") as url:
        conn = await connect(url)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        pool = await create_pool(url, min_size=1, max_size=4)
        try:
            await bench_queue(pool, args.requests, args.samples)
            store = EventStore(pool)
            app = Application(Repository(store, Codec(DOMAIN_ENUMS)), store, lambda: TODAY)
            await bench_raise(app, args.samples)
            await bench_log_problem(app, args.samples)
        finally:
            await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
