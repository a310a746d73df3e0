"""The per-stream hash chain: each event's hash covers its predecessor's and itself."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

import orjson

GENESIS = bytes(32)


def canonical_encoding(
    stream_id: UUID,
    stream_type: str,
    version: int,
    type: str,
    data: Any,
    metadata: Any,
    recorded_at: datetime,
) -> bytes:
    """Bytes that survive a round trip through jsonb: parsed values, sorted keys, UTC time."""
    return orjson.dumps(
        {
            "stream_id": str(stream_id),
            "stream_type": stream_type,
            "version": version,
            "type": type,
            "data": data,
            "metadata": metadata,
            "recorded_at": time_text(recorded_at),
        },
        option=orjson.OPT_SORT_KEYS,
    )


# Stands in for the time in an encoding cut around it; only code-controlled values (ids,
# type names, the version) sort after "recorded_at", so its last occurrence is the time's.
_TIME_STANDIN = "@@cso:recorded_at@@"


def encoding_around_time(
    stream_id: UUID, stream_type: str, version: int, type: str, data: Any, metadata: Any
) -> tuple[bytes, bytes]:
    """The canonical encoding cut around its recorded_at text: (head, tail), such that
    head + the time as `time_text` writes it + tail is `canonical_encoding(...)`. The
    database's append function puts its own clock's time between them (migration 0015)."""
    encoded = orjson.dumps(
        {
            "stream_id": str(stream_id),
            "stream_type": stream_type,
            "version": version,
            "type": type,
            "data": data,
            "metadata": metadata,
            "recorded_at": _TIME_STANDIN,
        },
        option=orjson.OPT_SORT_KEYS,
    )
    head, _, tail = encoded.rpartition(_TIME_STANDIN.encode())
    return head, tail


def time_text(recorded_at: datetime) -> str:
    """How the encoding writes a time: UTC, microseconds, as isoformat gives it."""
    return recorded_at.astimezone(UTC).isoformat(timespec="microseconds")


def chain(previous_hash: bytes, encoding: bytes) -> bytes:
    return hashlib.sha256(previous_hash + encoding).digest()


class Chained(Protocol):
    """What an event's hash covers (a RecordedEvent, or an exported line read back)."""

    @property
    def stream_id(self) -> UUID: ...
    @property
    def stream_type(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def data(self) -> Any: ...
    @property
    def metadata(self) -> Any: ...
    @property
    def recorded_at(self) -> datetime: ...
    @property
    def hash(self) -> bytes: ...


def event_hash(previous_hash: bytes, event: Chained) -> bytes:
    """The hash `event` must carry when it follows an event hashed `previous_hash`."""
    encoding = canonical_encoding(
        event.stream_id,
        event.stream_type,
        event.version,
        event.type,
        event.data,
        event.metadata,
        event.recorded_at,
    )
    return chain(previous_hash, encoding)


@dataclass(slots=True)
class ChainFollower:
    """Follows one stream's events in version order from `version` (0: from the start),
    whose last hash is `head`; `follows(event)` says whether the next one continues it."""

    version: int = 0
    head: bytes = GENESIS
    checked: int = 0
    first_bad_version: int | None = None

    def follows(self, event: Chained) -> bool:
        """Whether `event` is the next version and hashes onto the chain. The first version
        that fails is remembered (the expected one: where a removed event was), and the chain
        is then followed on from the event as stored."""
        expected = self.version + 1
        ok = event.version == expected and event_hash(self.head, event) == event.hash
        self.checked += 1
        if not ok and self.first_bad_version is None:
            self.first_bad_version = expected
        self.version, self.head = event.version, event.hash
        return ok


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    events_checked: int
    first_bad_version: int | None = None
