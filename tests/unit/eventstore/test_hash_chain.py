"""The canonical encoding the hash chain covers: stable across what a jsonb round trip changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

from cso.eventstore.hashing import (
    GENESIS,
    canonical_encoding,
    chain,
    encoding_around_time,
    time_text,
)

STREAM = uuid4()
AT = datetime(2024, 6, 1, 1, 0, tzinfo=UTC)


def _encoding(**changes: object) -> bytes:
    fields: dict[str, object] = {
        "stream_id": STREAM,
        "stream_type": "Test",
        "version": 1,
        "type": "test:Happened",
        "data": {"a": 1, "b": [1, 2]},
        "metadata": {"actor": {"id": "1"}, "reason": None},
        "recorded_at": AT,
    }
    fields.update(changes)
    return canonical_encoding(**fields)  # type: ignore[arg-type]


def test_key_order_does_not_change_the_encoding() -> None:
    assert _encoding(data={"b": [1, 2], "a": 1}) == _encoding()
    assert _encoding(metadata={"reason": None, "actor": {"id": "1"}}) == _encoding()


def test_the_same_instant_in_another_time_zone_encodes_the_same() -> None:
    shanghai = AT.astimezone(timezone(timedelta(hours=8)))
    assert _encoding(recorded_at=shanghai) == _encoding()


def test_every_covered_field_changes_the_encoding() -> None:
    base = _encoding()
    changed = [
        _encoding(stream_id=uuid4()),
        _encoding(stream_type="Other"),
        _encoding(version=2),
        _encoding(type="test:Other"),
        _encoding(data={"a": 2, "b": [1, 2]}),
        _encoding(data={"a": 1, "b": [2, 1]}),
        _encoding(metadata={"actor": {"id": "2"}, "reason": None}),
        _encoding(recorded_at=AT + timedelta(microseconds=1)),
    ]
    assert all(encoding != base for encoding in changed)
    assert len(set(changed)) == len(changed)


def test_a_hash_depends_on_the_previous_hash_and_the_encoding() -> None:
    first = chain(GENESIS, _encoding())
    assert len(first) == 32
    assert chain(GENESIS, _encoding()) == first
    assert chain(first, _encoding()) != first
    assert chain(GENESIS, _encoding(version=2)) != first


def test_the_encoding_cut_around_its_time_joins_back_to_the_whole_encoding() -> None:
    sneaky = {"note": "@@cso:recorded_at@@", "recorded_at": "2020-01-01"}
    for data in ({"a": 1, "b": [1, 2]}, sneaky):
        whole = _encoding(data=data, metadata={"reason": "@@cso:recorded_at@@"})
        head, tail = encoding_around_time(
            STREAM, "Test", 1, "test:Happened", data, {"reason": "@@cso:recorded_at@@"}
        )
        assert head + time_text(AT).encode() + tail == whole
