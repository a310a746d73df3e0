"""X-Correlation-ID: taken from the request or made up, and sent back on every response."""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-correlation-id"
_HEADER_BYTES = HEADER.encode()
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def correlation_id_of(scope: Scope) -> str:
    value: str = scope.setdefault("state", {}).get("correlation_id") or str(uuid.uuid4())
    return value


class CorrelationMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        raw = b""
        for name, value in scope.get("headers") or ():
            if name == _HEADER_BYTES:
                raw = value  # the last one sent wins
        sent = raw.decode("latin-1")
        correlation_id = sent if _ACCEPTABLE.match(sent) else str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = correlation_id

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = correlation_id
            await send(message)

        await self.app(scope, receive, send_with_header)
