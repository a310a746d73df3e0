"""graphql-transport-ws frames checked before strawberry reads them.

The protocol (github.com/enisdenjo/graphql-ws, PROTOCOL.md) closes the socket with 4400 on
any message it cannot read. Strawberry's handler indexes into each message as if it were
well formed, so a JSON array, a `payload` that is not an object, or an `id` that is not a
string ended the socket with a server error instead. Here every frame is checked for the
shape its type requires first.
"""

from __future__ import annotations

import time
from typing import Any, cast

from graphql import GraphQLError
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    Message,
    SubscribeMessage,
)

from cso.graphql.context import Context
from cso.limits import MAX_BODY_BYTES

CLOSE_BAD_MESSAGE = 4400
CLOSE_EXPIRED = 4401
# RFC 6455 §7.4.1: a message too big to process, and one that breaks the server's policy.
CLOSE_TOO_BIG = 1009
CLOSE_POLICY = 1008
WS_MESSAGES_PER_SECOND = 50.0
# Strawberry names a duplicate id in its close reason, which may hold 123 bytes at most.
MAX_ID_BYTES = 64


def frame_problem(message: object) -> str | None:
    """Why a graphql-transport-ws frame is malformed, or None when its shape is right."""
    if not isinstance(message, dict):
        return "a message must be a JSON object"
    kind = message.get("type")
    if kind in ("connection_init", "ping", "pong"):
        return _optional(message, "payload", dict, "payload must be an object")
    if kind == "complete":
        return _id_problem(message)
    if kind == "subscribe":
        payload = message.get("payload")
        if not isinstance(payload, dict):
            return "a subscribe message's payload must be an object"
        if not isinstance(payload.get("query"), str):
            return "a subscribe message's payload.query must be a string"
        return (
            _id_problem(message)
            or _optional(payload, "variables", dict, "payload.variables must be an object")
            or _optional(payload, "operationName", str, "payload.operationName must be a string")
            or _optional(payload, "extensions", dict, "payload.extensions must be an object")
        )
    return "unknown message type"


def _id_problem(message: dict[str, Any]) -> str | None:
    id_ = message.get("id")
    if not isinstance(id_, str) or not id_ or len(id_.encode("utf-8", "replace")) > MAX_ID_BYTES:
        return f"a message's id must be a string of 1 to {MAX_ID_BYTES} bytes"
    return None


def _optional(data: dict[str, Any], key: str, kind: type, problem: str) -> str | None:
    value = data.get(key)
    return None if value is None or isinstance(value, kind) else problem


class CheckedTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """Strawberry's handler, closing with 4400 on a frame of the wrong shape, and refusing an
    operation over the connection's limit with a coded error (strawberry's has no code)."""

    async def handle_message(self, message: Message) -> None:
        problem = frame_problem(cast(object, message))
        if problem is not None:
            await self.handle_invalid_message(problem)
            return
        await super().handle_message(message)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        limit = self.max_subscriptions_per_connection
        if (
            limit is not None
            and self.connection_acknowledged
            and message["id"] not in self.operations
            and len(self.operations) >= limit
        ):
            error = GraphQLError(
                f"A connection runs at most {limit} operations at once: complete one first.",
                extensions={"code": "INVALID_INPUT", "maxOperations": limit},
            )
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [error.formatted]}
            )
            return
        await super().handle_subscribe(message)


class WebSocketLimits:
    """Bound what a WebSocket client sends: a message over `max_bytes` (UTF-8) closes the
    connection with 1009, more than `messages_per_second` (a burst of as many, then that
    rate) with 1008. The server keeps serving everyone else; the app sees a disconnect.

    uvicorn's `ws_max_size` bounds the size too, under `cso serve`; this holds under any
    ASGI server, and says which limit was crossed.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = MAX_BODY_BYTES,
        messages_per_second: float = WS_MESSAGES_PER_SECOND,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.rate = messages_per_second

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        allowance, last = self.rate, time.monotonic()
        closed: int | None = None

        async def checked_receive() -> AsgiMessage:
            nonlocal allowance, last, closed
            if closed is not None:
                return {"type": "websocket.disconnect", "code": closed}
            message = await receive()
            if message["type"] != "websocket.receive":
                return message
            now = time.monotonic()
            allowance = min(self.rate, allowance + (now - last) * self.rate) - 1
            last = now
            text = message.get("text")
            size = (
                len(text.encode("utf-8", "replace"))
                if text is not None
                else len(message.get("bytes") or b"")
            )
            if size > self.max_bytes:
                closed, reason = CLOSE_TOO_BIG, f"a message may hold {self.max_bytes} bytes"
            elif allowance < 0:
                closed, reason = CLOSE_POLICY, f"more than {self.rate:g} messages a second"
            else:
                return message
            await send({"type": "websocket.close", "code": closed, "reason": reason})
            return {"type": "websocket.disconnect", "code": closed}

        async def checked_send(message: AsgiMessage) -> None:
            if closed is None:  # the app learns of the close at its next receive
                await send(message)

        await self.app(scope, checked_receive, checked_send)
