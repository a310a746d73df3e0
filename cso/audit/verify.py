"""`cso verify`: every stream's hash chain recomputed in one pass over the log."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from cso.audit import sql
from cso.eventstore import Checkpoint
from cso.eventstore.hashing import ChainFollower

# Called with how many events were checked since the last call (a progress bar's advance).
Advance = Callable[[int], None]

CURSOR_PREFETCH = 2000


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as the verifier reads it: what its hash covers."""

    stream_id: UUID
    stream_type: str
    version: int
    type: str
    data: Any
    metadata: Any
    recorded_at: Any
    hash: bytes


@dataclass(frozen=True, slots=True)
class BadStream:
    stream_id: UUID
    stream_type: str
    first_bad_version: int


@dataclass(slots=True)
class LogVerification:
    """The outcome of one pass: counts, each stream's head, and the streams that broke."""

    streams: int = 0
    events: int = 0
    bad: list[BadStream] = field(default_factory=list)
    heads: dict[UUID, tuple[int, bytes]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.bad


def heads_digest(heads: Iterable[tuple[UUID, int, bytes]]) -> str:
    """sha256 (hex) over every stream's (id, last version, last hash), in stream id order:
    one value that changes when any stream's head does."""
    digest = hashlib.sha256()
    for stream_id, version, head in sorted(heads):
        digest.update(stream_id.bytes + version.to_bytes(4, "big") + bytes(head))
    return digest.hexdigest()


async def verify_log(
    conn: asyncpg.Connection[Any],
    *,
    upto: Checkpoint | None = None,
    stream_id: UUID | None = None,
    advance: Advance | None = None,
) -> LogVerification:
    """Recompute every stream's chain, or `stream_id`'s (up to `upto` in commit order, else
    all that is committed); names each broken stream's first bad version. One ordered pass
    through a cursor: memory holds one head per stream, not the events."""
    outcome = LogVerification()
    current: tuple[UUID, str, ChainFollower] | None = None
    done = 0
    place = (None, None) if upto is None else (upto.transaction_id, upto.position)
    args = (*place, stream_id)
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        async for row in conn.cursor(sql.EVENTS_BY_STREAM, *args, prefetch=CURSOR_PREFETCH):
            event = StoredEvent(
                row["stream_id"],
                row["stream_type"],
                row["version"],
                row["type"],
                orjson.loads(row["data"]),
                orjson.loads(row["metadata"]),
                row["recorded_at"],
                bytes(row["hash"]),
            )
            if current is None or current[0] != event.stream_id:
                _close(outcome, current)
                current = (event.stream_id, event.stream_type, ChainFollower())
            current[2].follows(event)
            done += 1
            if advance is not None and done % CURSOR_PREFETCH == 0:
                advance(CURSOR_PREFETCH)
    _close(outcome, current)
    if advance is not None:
        advance(done % CURSOR_PREFETCH)
    return outcome


def _close(outcome: LogVerification, current: tuple[UUID, str, ChainFollower] | None) -> None:
    if current is None:
        return
    stream_id, stream_type, follower = current
    outcome.streams += 1
    outcome.events += follower.checked
    outcome.heads[stream_id] = (follower.version, follower.head)
    if follower.first_bad_version is not None:
        outcome.bad.append(BadStream(stream_id, stream_type, follower.first_bad_version))


async def stored_events(conn: asyncpg.Connection[Any]) -> int:
    """How many events a pass over the whole log will read (a progress bar's total)."""
    count: int = await conn.fetchval(sql.COUNT_EVENTS)
    return count
