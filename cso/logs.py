"""Logs: one structured line per request, readable by default, JSON with CSO_LOG_FORMAT=json.

`RequestLog` (ASGI middleware, inside the correlation middleware) writes the line when the
response ends: method, path, status, duration and correlation id, plus what the GraphQL
operation noted through `note_operation` (its name, or its root fields when unnamed; its
type; its error codes; the actor's id). Every line logged while a request runs carries its
correlation id, so an INTERNAL error's traceback — only ever in the log — is found by the
`correlationId` the client was given.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import IO, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cso.correlation import correlation_id_of

log = logging.getLogger("cso.request")

FORMATS = ("text", "json")
# Probes and scrapes come every few seconds: their lines are debug, not info.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
NOTES = "cso.log"  # the key of a request's notes in its ASGI scope state

_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "correlation_id", default=None
)


def note_operation(
    scope: Scope,
    *,
    operation: str,
    operation_type: str,
    error_codes: Sequence[str],
    actor_id: str | None,
) -> None:
    """What a GraphQL operation adds to its request's line (several on one request: the last)."""
    scope.setdefault("state", {})[NOTES] = {
        "operation": operation,
        "operation_type": operation_type,
        "error_codes": sorted(set(error_codes)),
        "actor_id": actor_id,
    }


class RequestLog:
    """Logs each HTTP request once, when its response has been sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _correlation_id.set(correlation_id_of(scope))
        started = time.perf_counter()
        status = 500  # unless a response starts: an exception escaped every handler

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            level = logging.DEBUG if scope["path"] in QUIET_PATHS else logging.INFO
            if log.isEnabledFor(level):  # the line's fields are built only to be written
                _log_request(scope, level, status, started)
            _correlation_id.reset(token)


def _log_request(scope: Scope, level: int, status: int, started: float) -> None:
    fields: dict[str, Any] = {
        "method": scope["method"],
        "path": scope["path"],
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "correlation_id": _correlation_id.get(),
        **scope.get("state", {}).get(NOTES, {}),
    }
    log.log(level, "request", extra={"request": fields})


class _WithCorrelationId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "correlation_id"):
            record.correlation_id = _correlation_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ts, level, logger, message, correlation_id, the request's
    fields at the top level, and `exc` (the traceback) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": getattr(record, "correlation_id", None),
            **getattr(record, "request", {}),
        }
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`12:00:01 INFO  POST /graphql 200 12.3 ms query Dashboard [FORBIDDEN] actor=… id=…`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-5s %(message)s", "%H:%M:%S")

    def formatMessage(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "request", None)
        if fields is not None:
            record.message = _readable(fields, getattr(record, "correlation_id", None))
        elif correlation_id := getattr(record, "correlation_id", None):
            record.message = f"{record.message}  id={correlation_id}"
        return super().formatMessage(record)


def _readable(fields: dict[str, Any], correlation_id: str | None) -> str:
    parts = [fields["method"], fields["path"], str(fields["status"]), f"{fields['duration_ms']} ms"]
    if "operation" in fields:
        parts += [fields["operation_type"], fields["operation"] or "-"]
    if fields.get("error_codes"):
        parts.append(f"[{','.join(fields['error_codes'])}]")
    if fields.get("actor_id"):
        parts.append(f"actor={fields['actor_id']}")
    if correlation_id:
        parts.append(f"id={correlation_id}")
    return " ".join(parts)


def log_handler(fmt: str = "text", stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing `fmt` ('text' or 'json') lines to `stream` (stderr), each with the
    correlation id of the request it was logged in. Raises ValueError for another format."""
    if fmt not in FORMATS:
        raise ValueError(f"CSO_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {fmt!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(_WithCorrelationId())
    return handler


def configure_logging(level: str = "info", fmt: str = "text") -> None:
    """Every logger's lines (uvicorn's too) through one `log_handler(fmt)` on stderr."""
    root = logging.getLogger()
    root.handlers[:] = [log_handler(fmt)]
    root.setLevel(level.upper())
    # The embedded PostgreSQL narrates initdb and pg_ctl at info; a user needs only trouble.
    logging.getLogger("pgserver").setLevel(max(root.level, logging.WARNING))
