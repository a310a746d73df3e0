"""GraphQL-shaped JSON bodies, encoded by orjson: UTF-8, not ASCII escapes."""

from __future__ import annotations

import json

import orjson
from starlette.responses import Response
from starlette.types import Scope

from cso.correlation import correlation_id_of
from cso.graphql.errors import capped_message

ALLOWED_METHODS = "GET, POST, OPTIONS"


def encoded_json(data: object) -> bytes:
    """`data` as compact UTF-8 JSON (orjson). A string with a lone surrogate has no UTF-8
    form: then the standard library's encoding, which escapes it (`\\ud800`)."""
    try:
        return orjson.dumps(data)
    except TypeError:
        return json.dumps(data, separators=(",", ":")).encode()


def error_response(scope: Scope, status: int, code: str, message: str) -> Response:
    """One coded error with the correlation id, for a request the GraphQL layer never saw."""
    extensions = {"code": code, "correlationId": correlation_id_of(scope)}
    body = {"errors": [{"message": capped_message(message), "extensions": extensions}]}
    headers = {"Allow": ALLOWED_METHODS} if status == 405 else None
    return Response(
        encoded_json(body), status_code=status, headers=headers, media_type="application/json"
    )
