"""The view reads a plain JSON POST itself, decoding with orjson when that reads the body as
the standard library would: whatever it reads or refuses, Strawberry's parser over `json`
reads or refuses alike."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from cross_web import HTTPException

from cso.graphql import view as view_module
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
    b'{"query": "{ a }", "variables": {"n": 18446744073709551616, "m": -9223372036854775809}}',
    b'{"query": "{ a }", "variables": {"n": 9223372036854775807, "f": 0.1, "e": 1E2}}',
    b'{"query": "{ a }", "variables": {"f": 1.2345678901234567890123, "g": -0.0}}',
    b'{"query": "{ a }", "variables": {"big": 1e400, "nan": NaN, "inf": -Infinity}}',
    b'{"query": "{ a }", "variables": {"s": "\\u0000 \xe4\xb8\xad", "a": 1, "a": 2}}',
    b'\xef\xbb\xbf{"query": "{ a }"}',
    '{"query": "{ a }"}'.encode("utf-16"),
    b'{"query": "{ a }", "variables": {"raw": "\xed\xa0\x80"}}',
    b'{"query": "{ a }",}',
    b'{"query": "{ a }"} trailing',
    b'{"query": "{ a }", "variables": {"deep": ' + b"[" * 2000 + b"]" * 2000 + b"}}",
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


class StandardLibrary(GraphQLView):
    """The view as it was: every body decoded by `json`."""

    def decode_json(self, data: str | bytes) -> object:
        return json.loads(data)


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
async def test_a_posted_body_is_read_or_refused_as_strawberrys_parser_would(
    content_type: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = build_schema()
    ours, reference = GraphQLView(schema), StandardLibrary(schema)

    async def never(view: Any, request: Any) -> None:
        return None  # every body to Strawberry's own parser

    for body in BODIES:
        request = Posted(body, content_type)
        read = await _outcome(ours, request)
        with monkeypatch.context() as patched:
            patched.setattr(view_module, "read_json_post", never)
            # repr: 1 == 1.0 and -0.0 == 0, where a type read differently must fail
            assert repr(read) == repr(await _outcome(reference, request)), body


def test_the_short_post_run_serves_only_a_view_configured_as_it_expects() -> None:
    schema = build_schema()
    assert GraphQLView(schema).lean_post

    class Rooted(GraphQLView):
        async def get_root_value(self, request: Any) -> Any:
            return {"root": True}

    assert not Rooted(schema).lean_post
    batching = build_schema()
    batching.config.batching_config = {"max_operations": 5}
    assert not GraphQLView(batching).lean_post
