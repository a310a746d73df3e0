"""Every type the codec registers goes to stored JSON and comes back as itself."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import TranscodingNotRegisteredError

from cso.domain.enums import DOMAIN_ENUMS
from cso.eventstore import Codec


class Colour(Enum):
    RED = "red"
    GREEN = "green"


class Shape(Enum):
    CIRCLE = 1
    SQUARE = 2


class Holder(Aggregate):
    """Carries any value through an event's payload."""

    @event("Held")
    def __init__(self, payload: Any) -> None:
        self.payload = payload

    @event("Replaced")
    def replace(self, payload: Any) -> None:
        self.payload = payload


SHANGHAI = timezone(timedelta(hours=8))

SCALARS: list[Any] = [
    UUID("0d7c1a3e-5b9f-4c2e-8a61-3f0e2b9d4c17"),
    Decimal("1.50"),
    Decimal("-0.000001"),
    Decimal("123456789012345678901234567890.123456789"),
    date(2024, 2, 29),
    datetime(2024, 6, 1, 9, 30, 15, 123456, tzinfo=UTC),
    datetime(2024, 6, 1, 17, 30, tzinfo=SHANGHAI),
    '文本 with "quotes" and \\ backslashes',
    0,
    -(2**62),
    True,
    None,
    Colour.RED,
    Shape.SQUARE,
]


def _round_trip(codec: Codec, payload: Any) -> tuple[Any, str]:
    holder = Holder(payload)
    (created,) = holder.collect_events()
    stored = codec.encode(created)
    decoded = codec.decode(holder.id, 1, stored.type, stored.data)
    return decoded.payload, stored.data


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1.50 stays 1.50, not 1.5)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Decimal | datetime):
        return str(a) == str(b)
    return bool(a == b)


@pytest.mark.parametrize("value", SCALARS, ids=repr)
def test_a_registered_value_round_trips_as_itself(value: Any) -> None:
    decoded, _ = _round_trip(Codec([Colour, Shape]), value)
    assert _same(decoded, value)


def test_nested_lists_and_dicts_of_every_registered_type_round_trip() -> None:
    payload = {
        "items": [{"id": uuid4(), "amount": Decimal("9.99"), "on": date(2024, 1, 1)}],
        "by_colour": {"red": [Colour.RED, [Shape.CIRCLE, None]], "empty": {}},
        "when": [datetime(2030, 12, 31, 23, 59, 59, tzinfo=SHANGHAI)],
        "matrix": [[1, 2], [], [[Decimal("0")]]],
    }
    decoded, _ = _round_trip(Codec([Colour, Shape]), payload)
    assert _same(decoded, payload)


@pytest.mark.parametrize("enum_class", DOMAIN_ENUMS, ids=lambda e: e.__name__)
def test_every_member_of_every_domain_enum_round_trips_as_the_same_member(
    enum_class: type[Enum],
) -> None:
    codec = Codec(DOMAIN_ENUMS)
    members = list(enum_class)
    decoded, _ = _round_trip(codec, {"one": members[0], "all": members})
    assert decoded["one"] is members[0]
    assert decoded["all"] == members
    assert all(a is b for a, b in zip(decoded["all"], members, strict=True))


def test_the_domain_enums_have_distinct_names_so_one_codec_takes_them_all() -> None:
    codec = Codec(DOMAIN_ENUMS)
    assert {f"enum:{e.__name__}" for e in DOMAIN_ENUMS} <= set(codec.transcoder.names)


def test_a_date_and_a_datetime_keep_their_own_types() -> None:
    day, moment = date(2024, 6, 1), datetime(2024, 6, 1, tzinfo=UTC)
    decoded, _ = _round_trip(Codec(), [day, moment])
    assert type(decoded[0]) is date
    assert type(decoded[1]) is datetime
    assert decoded[1].utcoffset() == timedelta(0)


def test_stored_json_is_readable_without_the_codec() -> None:
    codec = Codec([Colour])
    identifier = uuid4()
    _, data = _round_trip(
        codec,
        {
            "amount": Decimal("1.50"),
            "colour": Colour.GREEN,
            "on": date(2024, 6, 1),
            "at": datetime(2024, 6, 1, 8, 0, tzinfo=UTC),
            "id": identifier,
        },
    )
    document = json.loads(data)
    assert document["payload"]["amount"] == {"_type_": "decimal_str", "_data_": "1.50"}
    assert codec.plain(document["payload"]) == {
        "amount": "1.50",  # a Decimal is its string, never a float
        "colour": "GREEN",  # an enum is its member's name
        "on": "2024-06-01",
        "at": "2024-06-01T08:00:00+00:00",
        "id": str(identifier),  # ids read as canonical UUID strings, as the API gives them
    }
    assert "文" in _round_trip(codec, "文")[1]  # text is stored as text, not \\u escapes


def test_the_events_type_names_the_aggregates_event_class() -> None:
    holder = Holder(1)
    holder.replace(2)
    created, replaced = holder.collect_events()
    codec = Codec()
    assert codec.encode(created).type.endswith("Holder.Held")
    assert codec.encode(replaced).type.endswith("Holder.Replaced")
    assert codec.encode(replaced).recorded_at == replaced.timestamp


def test_a_snapshot_round_trips_to_the_same_aggregate_state() -> None:
    codec = Codec([Colour])
    holder = Holder({"amount": Decimal("2.50"), "colour": Colour.RED})
    holder.replace([date(2024, 6, 1), uuid4()])
    holder.collect_events()
    snapshot = codec.encode_snapshot(holder)

    restored = codec.decode_snapshot(holder.id, holder.version, snapshot.type, snapshot.data)

    assert type(restored) is Holder
    assert vars(restored) == {**vars(holder), "_pending_events": []}


def test_a_value_of_an_unregistered_type_is_refused_on_encoding() -> None:
    with pytest.raises(TranscodingNotRegisteredError):
        _round_trip(Codec(), Colour.RED)
    with pytest.raises(TranscodingNotRegisteredError):
        _round_trip(Codec(), {1, 2})


def test_two_enums_with_the_same_name_are_refused() -> None:
    class Colour(Enum):  # another enum called Colour
        BLUE = "blue"

    with pytest.raises(ValueError, match="two enums are named Colour"):
        Codec([globals()["Colour"], Colour])


def test_plain_drops_eventsourcings_bookkeeping_but_keeps_the_facts() -> None:
    plain = Codec.plain({"timestamp": "…", "originator_topic": "x:Y", "name": "甲"})
    assert plain == {"name": "甲"}


def test_plain_unwraps_typed_values_and_leaves_everything_else_alone() -> None:
    codec = Codec()
    wrapped = {
        "a": {"_type_": "decimal_str", "_data_": "3.00"},
        "b": [{"_type_": "uuid_hex", "_data_": "ab" * 16}, 1, "x"],
        "c": {"_type_": "not a wrapper", "_data_": 1, "extra": True},
    }
    assert codec.plain(wrapped) == {
        "a": "3.00",
        "b": [str(UUID("ab" * 16)), 1, "x"],
        "c": {"_type_": "not a wrapper", "_data_": 1, "extra": True},
    }
