"""The codec's orjson decoder gives back exactly what eventsourcing's stdlib one did."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError
from hypothesis import given, settings
from hypothesis import strategies as st

from cso.domain.enums import DOMAIN_ENUMS
from cso.eventstore.codec import UUID_CACHE_SIZE, make_transcoder, uuid_from_hex

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


def test_an_integer_past_64_bits_deep_inside_a_document_stays_an_exact_int() -> None:
    transcoder = make_transcoder(DOMAIN_ENUMS)
    data = b'{"a": [1, {"b": [18446744073709551617]}], "on": "2024"}'
    decoded = transcoder.decode(data)
    assert decoded["a"][1]["b"][0] == 18446744073709551617
    assert type(decoded["a"][1]["b"][0]) is int
    assert same(decoded, stdlib_decode(transcoder, data))


def test_text_decodes_like_its_utf8_bytes() -> None:
    transcoder = make_transcoder(DOMAIN_ENUMS)
    for document in DOCUMENTS:
        assert same(transcoder.decode_text(document), transcoder.decode(document.encode()))


def test_a_repeated_id_decodes_to_one_shared_uuid() -> None:
    transcoder = make_transcoder()
    data = b'[{"_type_": "uuid_hex", "_data_": "0d7c1a3e5b9f4c2e8a613f0e2b9d4c17"}]'
    first, second = transcoder.decode(data)[0], transcoder.decode(data)[0]
    assert first is second
    assert first == UUID("0d7c1a3e5b9f4c2e8a613f0e2b9d4c17")


def test_the_uuid_cache_stays_bounded_however_many_ids_it_sees() -> None:
    transcoder = make_transcoder()
    ids = [uuid4() for _ in range(UUID_CACHE_SIZE + 500)]
    document = json.dumps([{"_type_": "uuid_hex", "_data_": i.hex} for i in ids]).encode()
    assert transcoder.decode(document) == ids
    info = uuid_from_hex.cache_info()
    assert info.maxsize == UUID_CACHE_SIZE
    assert info.currsize <= UUID_CACHE_SIZE


# Values of every kind the codec writes, nested, plus what only hand-made JSON holds:
# integers past 64 bits, NaN and infinities, and dicts that look like wrappers.
_ENUM_MEMBERS = [member for enum_class in DOMAIN_ENUMS for member in enum_class]
_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**64 + 2),
    st.integers(min_value=-(2**63) - 2, max_value=-(2**63) + 2),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.uuids(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.datetimes(timezones=st.timezones()),
    st.sampled_from(_ENUM_MEMBERS),
)
_KEYS = st.one_of(st.sampled_from(["_type_", "_data_", "id"]), st.text(max_size=6))
_VALUES = st.recursive(
    _LEAVES,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(_KEYS, children, max_size=4),
        st.builds(
            lambda name, data: {"_type_": name, "_data_": data},
            st.sampled_from(["uuid_hex", "date_iso", "decimal_str", "enum:Milestone", "nope"]),
            children,
        ),
    ),
    max_leaves=12,
)


def _outcome(decode: Any, data: bytes) -> tuple[str, Any]:
    try:
        return "value", decode(data)
    except Exception as error:  # the outcome compared is the error's type
        return "error", type(error)


def _same_outcome(a: tuple[str, Any], b: tuple[str, Any]) -> bool:
    if a[0] == "error" or b[0] == "error":
        return a == b
    return same_or_both_nan(a[1], b[1])


def same_or_both_nan(a: Any, b: Any) -> bool:
    if type(a) is float and type(b) is float:
        return repr(a) == repr(b)  # NaN is not equal to itself; -0.0 and 0.0 differ
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_or_both_nan(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_or_both_nan(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Decimal | datetime):
        return str(a) == str(b)
    return bool(a == b)


@settings(max_examples=400, deadline=None)
@given(value=_VALUES, spaced=st.booleans())
def test_any_document_decodes_to_what_the_stdlib_decoder_gives(value: Any, spaced: bool) -> None:
    transcoder = make_transcoder(DOMAIN_ENUMS)
    encoder = json.JSONEncoder(
        default=transcoder._encode_obj,
        separators=(", ", ": ") if spaced else (",", ":"),
        ensure_ascii=False,
    )
    data = encoder.encode(value).encode()
    fast = _outcome(transcoder.decode, data)
    assert _same_outcome(fast, _outcome(lambda d: stdlib_decode(transcoder, d), data))
    assert _same_outcome(fast, _outcome(transcoder.decode_text, data.decode()))
