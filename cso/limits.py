"""The request limits the GraphQL extensions cannot set (the size of an HTTP request body,
the time one may take), and a query depth rule that cannot crash.

`MaxTokensLimiter` bounds the document, but variables are not tokens: without this, a client
could send a variable of any size, and the server would read it whole, decode it and walk it.
"""

from __future__ import annotations

import asyncio
import logging

import orjson
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    Visitor,
    visit,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import QueryDepthLimiter

from cso.correlation import correlation_id_of

log = logging.getLogger("cso.limits")

MAX_BODY_BYTES = 1024 * 1024
REQUEST_TIMEOUT_SECONDS = 30.0
# How much more of a refused body is read (and dropped) before answering. A client that is
# still sending when the answer comes and the connection closes may see the connection reset
# instead of the 413 (httpx does, for one): reading the rest, up to a bound, lets it read the
# answer. Past the bound the server closes the connection on a sender it no longer waits for.
DRAIN_BYTES = 8 * MAX_BODY_BYTES


def too_large_body(max_bytes: int, correlation_id: str) -> bytes:
    """The 413 response's body: a GraphQL-shaped error, like every other error of the API."""
    extensions = {"code": "INVALID_INPUT", "maxBytes": max_bytes, "correlationId": correlation_id}
    message = f"The request body is larger than {max_bytes} bytes."
    return orjson.dumps({"errors": [{"message": message, "extensions": extensions}]})


def timed_out(seconds: float, correlation_id: str) -> bytes:
    """The 503 response's body when a request ran out of time (code TIMEOUT)."""
    extensions = {"code": "TIMEOUT", "timeoutSeconds": seconds, "correlationId": correlation_id}
    message = (
        f"The request took longer than {seconds:g} seconds and was stopped. A mutation is "
        "applied whole or not at all: retry it with the same idempotencyKey."
    )
    return orjson.dumps({"errors": [{"message": message, "extensions": extensions}]})


async def _send_json(send: Send, status: int, content: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(content)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})


class RequestTimeout:
    """Stop an HTTP request that takes longer than `seconds` (reading its body included) and
    answer 503 with code TIMEOUT, so a slow query cannot hold a connection, a pool
    connection and a worker's time for ever. Cancelling a mutation rolls its transaction
    back, unless it committed already: either way it is whole, and its idempotency key makes
    the retry safe. A response already begun is left to end as the server ends it.
    WebSocket connections live on; their messages are limited by `WebSocketLimits`.
    """

    def __init__(self, app: ASGIApp, seconds: float = REQUEST_TIMEOUT_SECONDS) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        deadline = asyncio.timeout(self.seconds)
        try:
            async with deadline:
                await self.app(scope, receive, tracked)
        except TimeoutError:
            if not deadline.expired():
                raise
            correlation_id = correlation_id_of(scope)
            log.warning(
                "request timed out after %gs (correlation id %s)", self.seconds, correlation_id
            )
            if not started:
                await _send_json(send, 503, timed_out(self.seconds, correlation_id))


class BodySizeLimit:
    """Refuse an HTTP request whose body is over `max_bytes` with 413 and a JSON error.

    A declared Content-Length over the limit is refused before the body is kept. Otherwise
    (a chunked body declares no length) the body is read here, never more than the limit
    plus one chunk, and handed to the app as one message once it is known to fit. Either
    way, a refused body's rest is read and dropped up to `drain_bytes` before the answer.
    WebSocket messages are bounded by `WebSocketLimits` (and by uvicorn's `ws_max_size`).
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, drain_bytes: int = DRAIN_BYTES
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.drain_bytes = drain_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            if declared <= self.drain_bytes:
                await _drop_body(receive, self.drain_bytes)
            await self._refuse(scope, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body += message.get("body", b"")
            more = bool(message.get("more_body", False))
            if len(body) > self.max_bytes:
                if more:
                    await _drop_body(receive, self.drain_bytes - len(body))
                await self._refuse(scope, send)
                return
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        await _send_json(send, 413, too_large_body(self.max_bytes, correlation_id_of(scope)))


async def _drop_body(receive: Receive, budget: int) -> None:
    """Read the rest of the body and keep none of it, until it ends or `budget` bytes."""
    while budget > 0:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
        budget -= len(message.get("body", b""))


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or ():
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body read so far as the first message; afterwards, the server's own (so the app
    still learns of a disconnect)."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def depth_limit_rules(max_depth: int) -> list[type[ValidationRule]]:
    """Strawberry's depth rule, made safe for documents it cannot measure.

    The depth rule walks fragments by name and takes the deepest of each selection set: it
    raised KeyError on `{ ...Nope }` and ValueError on `{}` (graphql-core parses an empty
    selection set), turning a validation error into INTERNAL. An unknown fragment is left
    to graphql-core's KnownFragmentNamesRule; an empty selection set, which the GraphQL
    grammar does not allow, is reported here. The depth is measured once neither is left.
    """
    (depth_rule,) = QueryDepthLimiter(max_depth=max_depth).validation_rules

    class MeasurableDepthRule(depth_rule):  # type: ignore[misc, valid-type]
        def __init__(self, context: ValidationContext) -> None:
            unknown_fragment, empty = _unmeasurable(context.document)
            if empty is not None:
                context.report_error(GraphQLError("A selection set cannot be empty.", empty))
            if unknown_fragment or empty is not None:
                ValidationRule.__init__(self, context)
                return
            super().__init__(context)

    return [MeasurableDepthRule]


def _unmeasurable(document: DocumentNode) -> tuple[bool, SelectionSetNode | None]:
    """Whether the document spreads an unknown fragment, and its first empty selection set."""
    known = {d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    unknown = False
    empty: SelectionSetNode | None = None

    class Walk(Visitor):
        def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
            nonlocal unknown
            unknown = unknown or node.name.value not in known

        def enter_selection_set(self, node: SelectionSetNode, *_: object) -> None:
            nonlocal empty
            if not node.selections and empty is None:
                empty = node

    visit(document, Walk())
    return unknown, empty
