"""graphql-transport-ws frames checked before strawberry reads them.

The protocol (github.com/enisdenjo/graphql-ws, PROTOCOL.md) closes the socket with 4400 on
any message it cannot read. Strawberry's handler indexes into each message as if it were
well formed, so a JSON array, a `payload` that is not an object, or an `id` that is not a
string ended the socket with a server error instead. Here every frame is checked for the
shape its type requires first.
"""

from __future__ import annotations

from typing import Any, cast

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message

from cso.graphql.context import Context

CLOSE_BAD_MESSAGE = 4400
CLOSE_EXPIRED = 4401
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
    """Strawberry's handler, closing with 4400 on a frame of the wrong shape."""

    async def handle_message(self, message: Message) -> None:
        problem = frame_problem(cast(object, message))
        if problem is not None:
            await self.handle_invalid_message(problem)
            return
        await super().handle_message(message)
