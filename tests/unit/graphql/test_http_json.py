"""Response bodies: compact UTF-8 JSON, with a fallback for text that has no UTF-8 form."""

from __future__ import annotations

import json

import orjson

from cso.graphql.http_json import encoded_json


def test_text_is_utf8_not_ascii_escapes_and_the_json_is_compact() -> None:
    body = {"data": {"name": "区投资促进局", "none": None, "n": 1}}
    encoded = encoded_json(body)
    assert encoded == '{"data":{"name":"区投资促进局","none":null,"n":1}}'.encode()
    assert json.loads(encoded) == body


def test_a_lone_surrogate_is_escaped_instead_of_failing() -> None:
    encoded = encoded_json({"message": "bad \ud800 value"})
    assert encoded == b'{"message":"bad \\ud800 value"}'


def test_an_already_encoded_answer_is_embedded_as_it_is() -> None:
    cached = orjson.dumps({"projects": {"totalCount": 3}})
    encoded = encoded_json({"data": orjson.Fragment(cached), "extensions": {"x": True}})
    assert json.loads(encoded) == {
        "data": {"projects": {"totalCount": 3}},
        "extensions": {"x": True},
    }
