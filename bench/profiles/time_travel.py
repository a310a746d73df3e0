"""Time travel on a long stream: `project(asOf:)` on a 10,000-event project against its read.

    python bench/profiles/time_travel.py [--events 10000] [--reads 50]

In the profile database of page.py (the demo district), one open project with a CSO gets
services recorded through the domain until its stream holds `--events` events (kept for later
runs). Then the same selection is read in process, through the schema, now (the read model)
and as of two moments (the middle of its stream and now, both replayed from the nearest
snapshot): the median time of each, and each replay's ratio to the current read.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from page import VIEWER, prepared_database, server_url  # bench/profiles is the script's dir
from starlette.requests import Request
from starlette.responses import Response

from cso.domain.enums import ServiceKind
from cso.domain.project import Project
from cso.eventstore import Metadata
from cso.graphql.context import Context
from cso.graphql.schema import build_schema
from cso.services.identity import Principal, Role
from cso.settings import Settings

BATCH = 500
SELECTION = "id name stage version signedOn openRequests cso { name } enterprise { name }"
QUERY = f"query($id: ID!, $at: DateTime) {{ project(id: $id, asOf: $at) {{ {SELECTION} }} }}"

LONGEST = """
SELECT p.id FROM rm_projects p
WHERE NOT p.closed AND p.cso_id IS NOT NULL
ORDER BY p.version DESC, p.id LIMIT 1
"""


async def lengthened(runtime: Any, events: int) -> tuple[uuid.UUID, datetime]:
    """The longest open project with a CSO, lengthened to `events` events by recorded
    services; and a moment by which about half of them were recorded."""
    project_id: uuid.UUID = await runtime.read_pool.fetchval(LONGEST)
    project = await runtime.repository.get(project_id, Project)
    today = runtime.today()
    on = max(project.signed_on, today - timedelta(days=30))
    middle: datetime | None = None
    while project.version < events:
        for _ in range(min(BATCH, events - project.version)):
            project.record_service(ServiceKind.VISIT, "bench", on, today)
        await runtime.repository.save(project, metadata=Metadata())
        if middle is None and project.version >= events // 2:
            middle = datetime.now(UTC)
        print(f"  {project.version} events", file=sys.stderr)
    if middle is None:  # lengthened on an earlier run: the moment of its middle version
        middle = await runtime.pool.fetchval(
            "SELECT recorded_at FROM events WHERE stream_id = $1 AND version = $2",
            project_id,
            project.version // 2,
        )
    token = (await runtime.store.newest()).token()
    while not await runtime.projections.wait_for(token, 5.0):
        print("projecting…", file=sys.stderr)
    return project_id, middle


async def timed(schema: Any, runtime: Any, variables: dict[str, Any], reads: int) -> float:
    """The median seconds of `reads` executions of QUERY with `variables`."""
    seconds = []
    for _ in range(reads):
        context = Context(
            request=Request({"type": "http", "method": "POST", "headers": [], "state": {}}),
            response=Response(),
            runtime=runtime,
            correlation_id="bench",
            maybe_viewer=Principal(VIEWER, Role.VIEWER, "Bench", "Bench"),
        )
        started = time.perf_counter()
        result = await schema.execute(QUERY, variable_values=variables, context_value=context)
        seconds.append(time.perf_counter() - started)
        if result.errors:
            sys.exit(f"the read failed: {result.errors}")
    return statistics.median(seconds)


async def main(args: argparse.Namespace) -> None:
    from cso.app import open_runtime

    url = await prepared_database(server_url(), fresh=False)
    settings = Settings.from_env({"CSO_DATABASE_URL": url, "CSO_JWT_SECRET": secrets.token_hex(32)})
    async with open_runtime(settings) as runtime:
        project_id, middle = await lengthened(runtime, args.events)
        schema = build_schema()
        current = {"id": str(project_id), "at": None}
        cases = {
            "now (read model)": current,
            f"asOf the middle ({middle:%H:%M:%S})": {**current, "at": middle.isoformat()},
            "asOf now (replayed)": {**current, "at": datetime.now(UTC).isoformat()},
        }
        await timed(schema, runtime, current, 5)  # warm-up
        base = None
        for label, variables in cases.items():
            median = await timed(schema, runtime, variables, args.reads)
            base = base or median
            print(f"{label:32} {1000 * median:7.2f} ms   {median / base:5.2f}x the current read")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--reads", type=int, default=50)
    asyncio.run(main(parser.parse_args()))
