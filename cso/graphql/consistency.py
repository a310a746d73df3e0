"""Read your writes: a query that sends a mutation's token waits until read models include it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from cso.eventstore.records import InvalidToken
from cso.graphql.context import Context
from cso.services.errors import InvalidInput

log = logging.getLogger(__name__)

WAIT_SECONDS = 2.0


class ReadYourWrites(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        if (
            isinstance(context, Context)
            and context.consistency_token
            and self.execution_context.operation_type is OperationType.QUERY
        ):
            try:
                caught_up = await context.runtime.projections.wait_for(
                    context.consistency_token, WAIT_SECONDS
                )
            except InvalidToken as exc:
                raise InvalidInput(str(exc), field="X-Consistency-Token") from None
            if not caught_up:
                log.warning("read models did not reach %s in time", context.consistency_token)
        yield
