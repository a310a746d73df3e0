"""The codec's orjson decoder gives back exactly what eventsourcing's stdlib one did."""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError

from cso.domain.enums import DOMAIN_ENUMS
from cso.eventstore.codec import make_transcoder

# As PostgreSQL's jsonb prints them (", " and ": "), and as the codec writes them.
DOCUMENTS = [
    '{"id": {"_type_": "uuid_hex", "_data_": "0d7c1a3e5b9f4c2e8a613f0e2b9d4c17"}, "n": 1}',
    '{"amount":{"_type_":"decimal_str","_data_":"1.50"},"on":{"_type_":"date_iso",'
    '"_data_":"2024-02-29"},"at":{"_type_":"datetime_iso","_data_":"2024-06-01T09:30:15+00:00"}}',
    '{"items": [{"_type_": "uuid_hex", "_data_": "0d7c1a3e5b9f4c2e8a613f0e2b9d4c17"}, 1, "x",'
    ' [true, null, 2.5, {"a": []}]], "nested": {"deeper": {"_type_": "date_iso",'
    ' "_data_": "2026-01-01"}}}',
    '{"_type_": "not-a-wrapper", "_data_": 1, "third": 3}',
    '{"_type_": "only the type"}',
    '{"text": "文本 with \\"quotes\\" and \\\\ backslashes", "big": 9223372036854775807}',
    '{"milestone": {"_type_": "enum:Milestone", "_data_": "SIGNED"}}',
    # Past 64 bits: orjson would read these as floats, the stdlib decoder as exact ints.
    '{"over": 18446744073709551616, "under": -9223372036854775809, "n": [123456789012345678901]}',
    '{"digits in a string": "12345678901234567890123", "n": 1.5}',
    "[]",
    '"just a string"',
]


def stdlib_decode(transcoder: JSONTranscoder, data: bytes) -> Any:
    return JSONTranscoder.decode(transcoder, data)


def same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_a_document_decodes_to_the_same_values_and_types_as_with_the_stdlib_decoder(
    document: str,
) -> None:
    transcoder = make_transcoder(DOMAIN_ENUMS)
    data = document.encode()
    assert same(transcoder.decode(data), stdlib_decode(transcoder, data))


@pytest.mark.parametrize("document", ['{"x": NaN}', '{"x": 123456789012345678901234567890}'])
def test_what_orjson_refuses_is_decoded_by_the_stdlib_decoder(document: str) -> None:
    transcoder = make_transcoder(DOMAIN_ENUMS)
    decoded = transcoder.decode(document.encode())
    assert set(decoded) == {"x"}
    assert decoded["x"] != 0


def test_an_unknown_transcoding_is_refused_by_name() -> None:
    transcoder = make_transcoder(DOMAIN_ENUMS)
    with pytest.raises(TranscodingNotRegisteredError, match="no_such_type"):
        transcoder.decode(b'{"v": {"_type_": "no_such_type", "_data_": 1}}')
