"""Domain events to stored JSON and back, through eventsourcing's Mapper and JSONTranscoder."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import Enum
from typing import Any
from uuid import UUID

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
        self.name = f"enum:{enum_class.__name__}"

    def encode(self, obj: Enum) -> str:
        return obj.name

    def decode(self, data: str) -> Enum:
        return self.type[data]


def make_transcoder(enums: Iterable[type[Enum]] = ()) -> JSONTranscoder:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    for enum_class in enums:
        transcoding = EnumAsName(enum_class)
        if transcoding.name in transcoder.names:
            raise ValueError(f"two enums are named {enum_class.__name__}")
        transcoder.register(transcoding)
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
            recorded_at=domain_event.timestamp,
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

    def plain(self, data: Any) -> Any:
        """Event data as a reader wants it: `{"_type_": …, "_data_": v}` wrappers become v."""
        if isinstance(data, dict):
            if len(data) == 2 and "_type_" in data and "_data_" in data:
                return self.plain(data["_data_"])
            return {key: self.plain(value) for key, value in data.items()}
        if isinstance(data, list):
            return [self.plain(item) for item in data]
        return data
