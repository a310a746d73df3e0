"""requestChanged: a department's queue, live.

A department's screen hears of each request referred to it, and once more of one that
leaves its queue (returned by it, or referred elsewhere after the screen was told of it),
so that the screen can drop it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator
from uuid import UUID

import strawberry
from strawberry.types import Info

from cso.eventstore import Codec, RecordedEvent
from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.loaders import loader, renew_loaders
from cso.graphql.queries.common import reader
from cso.graphql.scalars import parse_optional_text
from cso.graphql.subscriptions import After, log_start, read_models_include
from cso.graphql.types.enterprise_request import EnterpriseRequest, enterprise_requests_by_id
from cso.graphql.types.event import readable_type

# Events of an older database that change a request on its project's stream; each names
# it as `request_id`. Every event of an EnterpriseRequest changes it (its stream is it).
LEGACY_REQUEST_EVENTS = frozenset(
    {
        "Project.RequestRaised",
        "Project.RequestReferred",
        "Project.RequestReturned",
        "Project.RequestDeadlineExtended",
        "Project.RequestResolved",
        "Project.RequestRated",
        "Project.RequestRedone",
    }
)


# The events by which a department sends a request back; each names the department.
RETURN_EVENTS = frozenset({"EnterpriseRequest.Returned", "Project.RequestReturned"})


def returned_by(batch: list[RecordedEvent], department: str) -> set[UUID]:
    """The requests `department` returned in the batch (they left its queue)."""
    returned: set[UUID] = set()
    for event in batch:
        if readable_type(event.type) in RETURN_EVENTS:
            data = Codec.plain(event.data)
            if data.get("department") == department:
                legacy = data.get("request_id")  # on its project's stream
                returned.add(event.stream_id if legacy is None else UUID(str(legacy)))
    return returned


def changed_requests(batch: list[RecordedEvent]) -> list[UUID]:
    """The requests a batch of the log changed, each once, in the order last changed."""
    changed: dict[UUID, None] = {}
    for event in batch:
        kind = readable_type(event.type)
        if kind.startswith("EnterpriseRequest."):
            request_id = event.stream_id
        elif kind in LEGACY_REQUEST_EVENTS:
            request_id = UUID(Codec.plain(event.data)["request_id"])
        else:
            continue
        changed.pop(request_id, None)
        changed[request_id] = None
    return list(changed)


@strawberry.type
class RequestSubscriptions:
    @fields.subscription(
        "Each request after a change, once the read models include it; with `department`, "
        "only those referred to it (its queue, live)."
    )
    async def request_changed(
        self, info: Info[Context, None], department: str | None = None, after: After = None
    ) -> AsyncGenerator[EnterpriseRequest, None]:
        reader(info)
        context = info.context
        runtime = context.runtime
        wanted = parse_optional_text(department, "department")
        start = await log_start(runtime, after)
        shown: set[UUID] = set()  # the requests this screen was told of while in its queue
        async with contextlib.aclosing(runtime.fanout.follow(start)) as batches:
            async for batch in batches:
                changed = changed_requests(batch)
                if not changed:
                    continue
                await read_models_include(runtime, batch[-1])
                renew_loaders(context)  # nothing cached before this change
                found = await loader(context, enterprise_requests_by_id).load_many(changed)
                left = set() if wanted is None else returned_by(batch, wanted)
                for request in found:
                    if request is None:
                        continue
                    key = UUID(request.id)
                    if wanted is None:
                        yield request
                    elif wanted in request.departments:
                        shown.add(key)
                        yield request
                    elif key in shown or key in left:
                        shown.discard(key)  # it left the queue: told once more, then no more
                        yield request
