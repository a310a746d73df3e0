"""The view reads a plain JSON POST itself; whatever it reads, Strawberry's parser reads alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from cross_web import HTTPException

from cso.graphql.schema import build_schema
from cso.graphql.view import GraphQLView


@dataclass
class Posted:
    """What the view asks of a request (cross_web's AsyncHTTPRequestAdapter)."""

    body: bytes
    content_type: str | None
    method: str = "POST"

    @property
    def headers(self) -> Mapping[str, str]:
        return {"content-type": self.content_type} if self.content_type else {}

    @property
    def query_params(self) -> Mapping[str, str]:
        return {}

    async def get_body(self) -> bytes:
        return self.body


BODIES = [
    b'{"query": "mutation { a }", "variables": {"x": 1}, "operationName": "A"}',
    b'{"query": "{ a }", "extensions": {"persistedQuery": {"version": 1}}}',
    b'{"query": null}',
    b"{}",
    b'{"query": 5}',
    b'{"query": "{ a }", "variables": []}',
    b'{"query": "{ a }", "extensions": "x"}',
    b'{"query": "{ a }", "operationName": 7}',
    b'{"query": "{ a }", "variables": null, "extensions": null}',
    b'[{"query": "{ a }"}]',
    b"null",
    b"5",
    b"not json",
    b"\xff\xfe",
    b'{"query": "\\ud800"}',
    b"[" * 100_000,
]
CONTENT_TYPES = [
    "application/json",
    "Application/JSON",
    "application/json; charset=utf-8",
    "application/json;charset=UTF-8",
    "application/json; charset=latin-1",
    "text/plain",
    None,
]


async def _outcome(view: GraphQLView, request: Posted) -> Any:
    try:
        data = await view.parse_http_body(request)  # type: ignore[arg-type]
    except HTTPException as exc:
        return ("refused", exc.status_code, exc.reason)
    return ("read", data)


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
async def test_a_posted_body_is_read_or_refused_as_strawberrys_parser_would(
    content_type: str | None,
) -> None:
    schema = build_schema()
    ours = GraphQLView(schema)
    strawberrys = GraphQLView(schema)

    async def never(request: Any) -> None:
        return None

    strawberrys._json_post = never  # type: ignore[method-assign]
    for body in BODIES:
        request = Posted(body, content_type)
        assert await _outcome(ours, request) == await _outcome(strawberrys, request), body
