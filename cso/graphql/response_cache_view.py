"""How the view answers a query through the response cache (see response_cache.py for the
rules), and how it answers a request the persisted-query rules refuse."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, cast

import orjson
from graphql import GraphQLError
from starlette.responses import Response
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from cso.eventstore.records import InvalidToken
from cso.graphql.consistency import STALE_HEADER, WAIT_SECONDS
from cso.graphql.context import Context
from cso.graphql.persisted_queries import Document, PersistedQueryError, document_hash
from cso.graphql.response_cache import Entry, ResponseCache, database_snapshot
from cso.logs import NOTES, note_operation


class CachedExecution:
    """One HTTP request's query: answered from an entry whose snapshot is the database's
    current one, else executed (`execute`) and kept when its answer may be cached.

    Requests for the same key and snapshot that arrive while one executes wait for its
    answer instead of executing it again.
    """

    def __init__(
        self,
        cache: ResponseCache,
        context: Context,
        document: Document,
        request_data: GraphQLRequestData,
        execute: Callable[[], Awaitable[ExecutionResult]],
    ) -> None:
        self.cache = cache
        self.context = context
        self.text = document.text
        self.hash = document.hash or document_hash(document.text)
        self.operation_name = request_data.operation_name
        self.variables = request_data.variables
        self.execute = execute

    async def run(self, sub_response: Response) -> ExecutionResult:
        """The request's result; raises what `execute` raises."""
        started = time.perf_counter()
        cache, context = self.cache, self.context
        if not cache.cacheable(self.hash, self.text, self.operation_name):
            return await self.execute()
        key = cache.key(self.hash, self.operation_name, self.variables, context)
        if key is None or not await self._waited_for_token():
            return await self.execute()
        snapshot = await cache.states.read(partial(database_snapshot, context))
        if snapshot is None:
            context.runtime.metrics.response_cache_misses.labels("unknown").inc()
            return await self.execute()
        entry = cache.get(key)
        if entry is not None and entry.snapshot == snapshot:
            return self._hit(entry, sub_response, started)
        metrics = context.runtime.metrics
        missed = metrics.response_cache_misses.labels("stale" if entry else "absent")
        with cache.computing(key, snapshot) as running:
            if running is not None:
                shared = await asyncio.shield(running)
                if shared is not None:
                    return self._hit(shared, sub_response, started)
                missed.inc()
                return await self.execute()
            missed.inc()
            result = await self.execute()
            if not result.errors and result.data is not None and not context.recorded_read:
                self._keep(key, snapshot, result.data)
            return result

    def _keep(self, key: bytes, snapshot: str, data: dict[str, object]) -> None:
        try:
            encoded = orjson.dumps(data)
        except TypeError:  # text with no UTF-8 form: answered (escaped), not kept
            return
        notes = self.context.request.scope.get("state", {}).get(NOTES, {})
        entry = Entry(snapshot, encoded, notes.get("operation", ""))
        self.cache.put(key, entry, self.context.runtime.metrics)

    async def _waited_for_token(self) -> bool:
        """Wait for a sent consistency token as ReadYourWrites would (which then does not
        wait again); False for a token that does not parse, whose error the execution gives."""
        context = self.context
        if not context.consistency_token:
            return True
        try:
            context.consistency_reached = await context.runtime.projections.wait_for(
                context.consistency_token, WAIT_SECONDS
            )
        except InvalidToken:
            return False
        return True

    def _hit(self, entry: Entry, sub_response: Response, started: float) -> ExecutionResult:
        context = self.context
        metrics = context.runtime.metrics
        metrics.response_cache_hits.inc()
        label = metrics.operation_label(entry.operation or "(none)")
        metrics.observe_operation(label, "query", "ok", time.perf_counter() - started)
        viewer = context.maybe_viewer
        note_operation(
            context.request.scope,
            operation=entry.operation,
            operation_type="query",
            error_codes=[],
            actor_id=getattr(viewer, "id", None),
        )
        extensions: dict[str, Any] = {}
        if context.consistency_reached is not None:
            extensions["consistency"] = {"reached": context.consistency_reached}
            if not context.consistency_reached:
                sub_response.headers[STALE_HEADER] = "stale"
        # The data goes into the body as it was encoded (orjson.Fragment), not decoded again.
        data = cast(dict[str, object], orjson.Fragment(entry.data))
        return ExecutionResult(data=data, errors=None, extensions=extensions or None)


def refused(
    context: Context, sub_response: Response, error: PersistedQueryError
) -> ExecutionResult:
    """The answer to a request the persisted-query rules refuse: one coded error, with the
    status Apollo's clients expect (200 for PersistedQueryNotFound, so that they resend)."""
    metrics = context.runtime.metrics
    metrics.count_error(error.code)
    note_operation(
        context.request.scope,
        operation="",
        operation_type="unknown",
        error_codes=[error.code],
        actor_id=getattr(context.maybe_viewer, "id", None),
    )
    sub_response.status_code = error.status
    if error.status == 200:
        # As Apollo Server: the refusal must not be cached by a browser or proxy on the way.
        sub_response.headers["Cache-Control"] = "private, no-cache, must-revalidate"
    extensions = {"code": error.code, "correlationId": context.correlation_id}
    return ExecutionResult(data=None, errors=[GraphQLError(str(error), extensions=extensions)])
