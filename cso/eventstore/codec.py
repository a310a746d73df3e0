"""Domain events to stored JSON and back, through eventsourcing's Mapper and JSONTranscoder."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, cast
from uuid import UUID

import orjson
from eventsourcing.domain import Aggregate, DomainEventProtocol, Snapshot
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    Transcoding,
    UUIDAsHex,
    find_id_convertor,
)
from eventsourcing.utils import resolve_topic

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


# The ids an event names repeat (officers, projects, enterprises), and UUID() is ~1 us of
# Python while a hit here is ~0.1 us of C; UUIDs are immutable, so sharing one is safe.
# Bounded: at most UUID_CACHE_SIZE ids per process, ~260 B each with its key (~2 MB).
UUID_CACHE_SIZE = 8192
uuid_from_hex: Callable[[str], UUID] = lru_cache(maxsize=UUID_CACHE_SIZE)(UUID)


def _str_decoder(transcoding: Transcoding) -> Callable[[str], Any] | None:
    """What `transcoding.decode` does with a str, as one C call, or None to call it."""
    kind = type(transcoding)
    if kind is UUIDAsHex:
        return uuid_from_hex
    if kind is DecimalAsStr:
        return Decimal
    if kind is DatetimeAsISO:
        return datetime.fromisoformat
    if kind is DateAsISO:
        return date.fromisoformat
    if kind is EnumAsName:
        # `EnumClass[name]` is a Python frame over this same dict (aliases included).
        return cast(EnumAsName, transcoding).enum_class._member_map_.__getitem__
    return None


class _NotExact(Exception):
    """orjson gave a float: perhaps an integer past 64 bits, which the stdlib keeps exact."""


class FastJSONTranscoder(JSONTranscoder):
    """eventsourcing's JSONTranscoder, decoding with orjson: the same values and types, for
    a fraction of the CPU (the stdlib decoder called a Python hook for every object; here the
    walk visits only objects and lists, and the scalars come out of orjson's C).

    What the walk cannot vouch for is decoded by the stdlib decoder, which then gives exactly
    the value or the error it always gave: what orjson refuses (NaN, Infinity, a lone
    surrogate), any error on the way (an unknown transcoding, bad data), and any float.
    orjson reads an integer past 64 bits as a float (its documented range is -2**63 ..
    2**64-1), so seeing the float replaces scanning the text for long digit runs first;
    the log's events carry no floats (amounts are Decimals).
    """

    def __init__(self) -> None:
        super().__init__()
        # name -> decoder of a str `_data_`, for the wrappers the walk decodes in place.
        self.str_decoders: dict[str, Callable[[str], Any]] = {}

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        decoder = _str_decoder(transcoding)
        if decoder is None:
            self.str_decoders.pop(transcoding.name, None)
        else:
            self.str_decoders[transcoding.name] = decoder

    def decode(self, data: bytes) -> Any:
        """The value `data` (UTF-8 JSON) encodes; raises what JSONTranscoder.decode raises."""
        return self.decode_text(data)

    def decode_text(self, data: str | bytes) -> Any:
        """The value JSON `data` encodes, given as text or as UTF-8 (so text needs no round
        trip through bytes); raises what JSONTranscoder.decode raises."""
        try:
            return self._revive(orjson.loads(data))
        except Exception:  # the stdlib decoder decodes it, or raises what it always raised
            text = data if isinstance(data, str) else data.decode("utf8")
            return self.decoder.decode(text)

    def _revive(self, value: Any) -> Any:
        # Bottom-up, as the stdlib decoder's object hook runs: a transcoding's data arrives
        # already decoded. The common case, a wrapper around a str, is decoded in place by
        # one C call (a Python call per value was most of a decode's cost).
        kind = type(value)
        if kind is dict:
            str_decoders = self.str_decoders
            for key, item in value.items():
                kind = type(item)
                if kind is dict:
                    # Two keys, a known `_type_` and a str `_data_`: a wrapper. (An unhashable
                    # `_type_` raises TypeError here, and the stdlib decoder takes over.)
                    if len(item) == 2:
                        decoder = str_decoders.get(item.get("_type_"))
                        if decoder is not None:
                            data = item.get("_data_")
                            if type(data) is str:
                                value[key] = decoder(data)
                                continue
                    value[key] = self._revive(item)
                elif kind is list:
                    value[key] = self._revive(item)
                elif kind is float:
                    raise _NotExact
            if len(value) == 2 and "_type_" in value and "_data_" in value:
                decoder = str_decoders.get(value["_type_"])  # a wrapper in a list, or nested
                data = value["_data_"]
                if decoder is not None and type(data) is str:
                    return decoder(data)
                return self._decode_obj(value)
            return value
        if kind is list:
            return [
                item
                if (kind := type(item)) is not dict and kind is not list and kind is not float
                else self._revive(item)
                for item in value
            ]
        if kind is float:
            raise _NotExact
        return value


def make_transcoder(enums: Iterable[type[Enum]] = ()) -> FastJSONTranscoder:
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


class FastMapper(Mapper[UUID]):
    """eventsourcing's Mapper, decoding a stored event's text without a StoredEvent: what
    `to_domain_event` looks up per event (the class of a topic, its class_version) is looked
    up once per topic. No cipher or compressor: the codec configures neither."""

    def __init__(self, transcoder: FastJSONTranscoder) -> None:
        super().__init__(transcoder=transcoder)
        self.fast_transcoder = transcoder
        # topic -> (event class, its class_version, the originator id's type, its convertor)
        self.classes: dict[str, tuple[type[Any], int, type[Any], Callable[[Any], Any]]] = {}

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        return self.domain_event(
            stored_event.originator_id,
            stored_event.originator_version,
            stored_event.topic,
            stored_event.state,
        )

    def domain_event(
        self, originator_id: UUID | str, version: int, topic: str, state: str | bytes
    ) -> DomainEventProtocol[UUID]:
        """The domain event of one stored event, its state JSON as text or UTF-8; raises what
        `Mapper.to_domain_event` raises (MapperDeserialisationError for a bad state)."""
        id_type = type(originator_id)
        entry = self.classes.get(topic)
        if entry is None or entry[2] is not id_type:
            cls = resolve_topic(topic)
            convertor = find_id_convertor(cls, cast(Hashable, id_type))
            entry = self.classes[topic] = (
                cls,
                getattr(cls, "class_version", 1),
                id_type,
                convertor,
            )
        cls, class_version, _, convertor = entry
        try:
            event_state: dict[str, Any] = self.fast_transcoder.decode_text(state)
        except Exception as e:
            msg = (
                f"Failed to deserialise state of stored event with topic '{topic}', "
                f"originator_id '{originator_id}' and originator_version {version}: {e}"
            )
            raise MapperDeserialisationError(msg) from e
        event_state["originator_id"] = convertor(originator_id)
        event_state["originator_version"] = version
        from_version = event_state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(event_state)
            from_version += 1
        # (No cast: subscripting DomainEventProtocol per event costs a typing call.)
        domain_event: DomainEventProtocol[UUID] = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", event_state)
        return domain_event


class Codec:
    """Encodes domain events and snapshots for the store; decodes stored rows back."""

    def __init__(self, enums: Iterable[type[Enum]] = ()) -> None:
        self.transcoder = make_transcoder(enums)
        self.mapper = FastMapper(self.transcoder)

    def encode(self, domain_event: DomainEventProtocol[UUID]) -> NewEvent:
        stored = self.mapper.to_stored_event(domain_event)
        return NewEvent(
            type=stored.topic,
            data=stored.state.decode("utf-8"),
            recorded_at=domain_event.timestamp,  # type: ignore[attr-defined]
        )

    def decode(self, stream_id: UUID, version: int, type: str, data: str) -> Any:
        """The domain event of one stored row, `data` its JSON text. Raises TopicError for an
        unknown `type`, MapperDeserialisationError for data that cannot be decoded."""
        return self.mapper.domain_event(stream_id, version, type, data)

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
