"""Subscriptions over graphql-transport-ws: a project after each change, the log as it grows.

Each follows the log from the oldest transaction still open when it starts (so nothing
committed afterwards is missed; a change committed just before may come once more), through
the process's one shared log reader (`cso.eventstore.fanout`), and keeps what it needs.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from strawberry.types import Info

from cso.eventstore import Checkpoint, RecordedEvent
from cso.eventstore.records import InvalidToken
from cso.eventstore.sql import SELECT_WATERMARK
from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.loaders import loader, renew_loaders
from cso.graphql.queries.audit import auditor
from cso.graphql.queries.common import reader
from cso.graphql.scalars import parse_id
from cso.graphql.types.event import Event, event_of
from cso.graphql.types.project import Project, projects_by_id
from cso.runtime import Runtime
from cso.services.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)

LAST_POSITION = 2**63 - 1
# Whether a checkpoint lies where the log has been: its transaction began before now, and
# its position was handed out. A token past either is from no answer of this log.
REACHED = """
SELECT $1::xid8 < pg_snapshot_xmax(pg_current_snapshot())
   AND $2::bigint <= coalesce((SELECT max(position) FROM events), 0)
"""

After = Annotated[
    str | None,
    strawberry.argument(
        description="Resume after this consistency token (a mutation's, or an event's "
        "`token`); without it, start now."
    ),
]


async def log_start(runtime: Runtime, after: str | None) -> Checkpoint:
    """After the given consistency token; without one, before every transaction that may
    still commit."""
    if after is not None:
        try:
            start = Checkpoint.from_token(after)
        except InvalidToken as exc:
            raise InvalidInput(str(exc), "after") from None
        in_range = max(start.transaction_id, start.position) <= LAST_POSITION
        if not (
            in_range and await runtime.pool.fetchval(REACHED, start.transaction_id, start.position)
        ):
            raise InvalidInput(
                "after is a token the log has not reached: resume after a token this "
                "server gave (a mutation's or an event's), or leave it out to start now",
                "after",
            )
        return start
    oldest_open: int = await runtime.pool.fetchval(SELECT_WATERMARK)
    return Checkpoint(oldest_open - 1, LAST_POSITION)


async def read_models_include(runtime: Runtime, event: RecordedEvent) -> None:
    token = event.checkpoint.token()
    while not await runtime.projections.wait_for(token):
        log.warning("projections are slow to reach %s; still waiting", token)


@strawberry.type
class Subscription:
    @fields.subscription("The project after each change, once the read models include it.")
    async def project_changed(
        self, info: Info[Context, None], id: strawberry.ID, after: After = None
    ) -> AsyncGenerator[Project, None]:
        reader(info)
        context = info.context
        runtime = context.runtime
        project_id = parse_id(id, "id")
        start = await log_start(runtime, after)
        if await loader(context, projects_by_id).load(project_id) is None:
            raise NotFound(f"no project with id {project_id}")
        async with contextlib.aclosing(runtime.fanout.follow(start)) as batches:
            async for batch in batches:
                mine = [event for event in batch if event.stream_id == project_id]
                if not mine:
                    continue
                await read_models_include(runtime, mine[-1])
                renew_loaders(context)  # nothing cached before this change
                project = await loader(context, projects_by_id).load(project_id)
                if project is not None:
                    yield project

    @fields.subscription("Each event as it is appended (auditors, supervisors).")
    async def event_appended(
        self,
        info: Info[Context, None],
        stream_types: list[str] | None = None,
        after: After = None,
    ) -> AsyncGenerator[Event, None]:
        auditor(info)
        context = info.context
        runtime = context.runtime
        wanted = set(stream_types or ())
        start = await log_start(runtime, after)
        async with contextlib.aclosing(runtime.fanout.follow(start)) as batches:
            async for batch in batches:
                for event in batch:
                    if not wanted or event.stream_type in wanted:
                        yield event_of(context, event)
