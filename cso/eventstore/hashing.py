"""The per-stream hash chain: each event's hash covers its predecessor's and itself."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
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
            "recorded_at": recorded_at.astimezone(UTC).isoformat(timespec="microseconds"),
        },
        option=orjson.OPT_SORT_KEYS,
    )


def chain(previous_hash: bytes, encoding: bytes) -> bytes:
    return hashlib.sha256(previous_hash + encoding).digest()


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    events_checked: int
    first_bad_version: int | None = None
