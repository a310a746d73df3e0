"""Read your writes, in one snapshot.

A query that sends a mutation's token (`X-Consistency-Token`) waits until the read models
include it (at most WAIT_SECONDS). If they still don't, it answers what they hold and says
so: the response header `X-Consistency: stale` and `extensions.consistency.reached` false
(API.md, "Transport and identity"). Then every read of the query goes through one database
snapshot (see snapshot.py), taken after the wait so that it includes what was waited for.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from cso.eventstore.records import InvalidToken
from cso.graphql.context import Context
from cso.graphql.snapshot import ReadSnapshot
from cso.services.errors import InvalidInput

log = logging.getLogger(__name__)

WAIT_SECONDS = 2.0
STALE_HEADER = "X-Consistency"


class ReadYourWrites(SchemaExtension):
    """Waits for a sent consistency token, then gives a query its one snapshot."""

    reached: bool | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        is_query = self.execution_context.operation_type is OperationType.QUERY
        if not (isinstance(context, Context) and is_query):
            yield
            return
        if context.consistency_token:
            self.reached = context.consistency_reached
            if self.reached is None:
                self.reached = await _wait(context, context.consistency_token)
            if not self.reached:
                context.response_headers[STALE_HEADER] = "stale"
        snapshot = ReadSnapshot(context.runtime.read_pool)
        context.snapshot = snapshot
        try:
            yield
        finally:
            context.snapshot = None
            await snapshot.close()

    def get_results(self) -> dict[str, Any]:
        if self.reached is None:
            return {}
        return {"consistency": {"reached": self.reached}}


async def _wait(context: Context, token: str) -> bool:
    try:
        reached = await context.runtime.projections.wait_for(token, WAIT_SECONDS)
    except InvalidToken as exc:
        raise InvalidInput(str(exc), field="X-Consistency-Token") from None
    if not reached:
        log.warning("read models did not reach %s in time", token)
    return reached
