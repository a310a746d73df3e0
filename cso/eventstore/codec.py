"""Domain events to stored JSON and back, through eventsourcing's Mapper and JSONTranscoder."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from enum import Enum
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.domain import Aggregate, DomainEventProtocol, Snapshot
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    Transcoding,
    UUIDAsHex,
)

from cso.eventstore.records import NewEvent


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class EnumAsName(Transcoding):
    """One transcoding per enum class, so a member decodes back to the member, not a string."""

    def __init__(self, enum_class: type[Enum]) -> None:
        self.type = enum_class
        self.enum_class = enum_class
        self.name = f"enum:{enum_class.__name__}"

    def encode(self, obj: Enum) -> str:
        return obj.name

    def decode(self, data: str) -> Enum:
        return self.enum_class[data]


# 19 digits or more may be an integer past 64 bits; a run inside a string only costs the
# slower decoder.
LONG_DIGIT_RUN = re.compile(rb"\d{19,}")


class FastJSONTranscoder(JSONTranscoder):
    """eventsourcing's JSONTranscoder, decoding with orjson: the same values and types, for
    about 70% of the CPU (the stdlib decoder called a Python hook for every object; here the
    walk visits only objects and lists, and the scalars come out of orjson's C). What orjson
    refuses (NaN) or would read otherwise (an integer past 64 bits, which orjson makes a
    float) is decoded by the stdlib decoder, as before."""

    def decode(self, data: bytes) -> Any:
        if LONG_DIGIT_RUN.search(data):  # perhaps an integer past 64 bits: exact ints
            return super().decode(data)
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError:
            return super().decode(data)
        return self._revive(parsed)

    def _revive(self, value: Any) -> Any:
        # Bottom-up, as the stdlib decoder's object hook runs: a transcoding's data arrives
        # already decoded. The common case, a wrapper around a scalar, is decoded in place
        # (no call per value: that call was most of a decode's cost).
        kind = type(value)
        if kind is dict:
            names = self.names
            for key, item in value.items():
                kind = type(item)
                if kind is dict:
                    if len(item) == 2 and "_type_" in item and "_data_" in item:
                        data = item["_data_"]
                        transcoding = names.get(item["_type_"])
                        scalar = type(data) is not dict and type(data) is not list
                        if transcoding is not None and scalar:
                            value[key] = transcoding.decode(data)
                            continue
                    value[key] = self._revive(item)
                elif kind is list:
                    value[key] = self._revive(item)
            if len(value) == 2 and "_type_" in value and "_data_" in value:
                transcoding = names.get(value["_type_"])
                if transcoding is not None:
                    return transcoding.decode(value["_data_"])
                return self._decode_obj(value)  # raises naming the unknown transcoding
            return value
        if kind is list:
            return [
                self._revive(item) if type(item) is dict or type(item) is list else item
                for item in value
            ]
        return value


def make_transcoder(enums: Iterable[type[Enum]] = ()) -> JSONTranscoder:
    transcoder = FastJSONTranscoder()
    basics: tuple[Transcoding, ...] = (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO())
    for basic in basics:
        transcoder.register(basic)
    for enum_class in enums:
        by_name = EnumAsName(enum_class)
        if by_name.name in transcoder.names:
            raise ValueError(f"two enums are named {enum_class.__name__}")
        transcoder.register(by_name)
    return transcoder


class Codec:
    """Encodes domain events and snapshots for the store; decodes stored rows back."""

    def __init__(self, enums: Iterable[type[Enum]] = ()) -> None:
        self.transcoder = make_transcoder(enums)
        self.mapper: Mapper[UUID] = Mapper(transcoder=self.transcoder)

    def encode(self, domain_event: DomainEventProtocol[UUID]) -> NewEvent:
        stored = self.mapper.to_stored_event(domain_event)
        return NewEvent(
            type=stored.topic,
            data=stored.state.decode("utf-8"),
            recorded_at=domain_event.timestamp,  # type: ignore[attr-defined]
        )

    def decode(self, stream_id: UUID, version: int, type: str, data: str) -> Any:
        stored = StoredEvent(
            originator_id=stream_id,
            originator_version=version,
            topic=type,
            state=data.encode("utf-8"),
        )
        return self.mapper.to_domain_event(stored)

    def encode_snapshot(self, aggregate: Aggregate) -> NewEvent:
        return self.encode(Snapshot.take(aggregate))

    def decode_snapshot(self, stream_id: UUID, version: int, type: str, state: str) -> Aggregate:
        snapshot = self.decode(stream_id, version, type, state)
        aggregate: Aggregate = snapshot.mutate(None)
        return aggregate

    @staticmethod
    def plain(data: Any) -> Any:
        """Event data as a reader wants it: no codec wrappers, ids as canonical UUID strings,
        and none of eventsourcing's bookkeeping (the time is the event's `recordedAt`)."""
        if isinstance(data, dict):
            return {
                key: _plain_value(value) for key, value in data.items() if key not in _BOOKKEEPING
            }
        return _plain_value(data)


_BOOKKEEPING = frozenset({"timestamp", "originator_topic"})


def _plain_value(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 2 and "_type_" in value and "_data_" in value:
            if value["_type_"] == UUIDAsHex.name:
                return str(UUID(value["_data_"]))
            return _plain_value(value["_data_"])
        return {key: _plain_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_value(item) for item in value]
    return value
