"""A runner's reads of the log: one batch, decoded, and the connection that reads ahead.

A read decodes every event the projection handles as it arrives, so that a runner far
behind can read and decode its next batch on a second connection while its current batch's
writes and commit run on the server (see ProjectionRunner.catch_up): the client's share of
a batch then overlaps the server's instead of following it. An event that cannot be decoded
is kept as `Undecodable` and fails when its turn comes, exactly as if it had been decoded
then (the runner names it, retries it, never skips it).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, cast

import asyncpg
import orjson

from cso.eventstore import Checkpoint, Codec, RecordedEvent
from cso.projections import sql
from cso.projections.base import Projection
from cso.projections.lock import runner_connection

# A long read lets the event loop run after decoding this many events (as does a batch the
# runner prepares ahead): the batch being committed meanwhile needs the loop to read its
# replies and send its next statements, and the other runners theirs.
YIELD_EVERY = 256


@dataclass(frozen=True, slots=True)
class Undecodable:
    """What decoding an event raised; raised again when a handler would have seen it."""

    error: Exception


@dataclass(slots=True)
class LogRead:
    """One read of the log after a checkpoint.

    `batch` holds the events the projection handles and the last one read whatever its type
    (so the checkpoint moves past the rest); `events` the decoded domain event (or its
    `Undecodable`) of each handled one, by position; `full` says the read took as many
    events as it asked for, so the log has more.
    """

    batch: list[RecordedEvent] = field(default_factory=list)
    events: dict[int, Any] = field(default_factory=dict)
    full: bool = False


async def read_log(
    conn: asyncpg.Connection[Any],
    projection: Projection,
    codec: Codec,
    after: Checkpoint,
    limit: int,
) -> LogRead:
    """At most `limit` events of the log after `after`, in commit order, the handled ones
    decoded. Raises what the connection raises; never what a decode raises."""
    rows = await conn.fetch(
        sql.SELECT_LOG_AFTER,
        after.transaction_id,
        after.position,
        limit,
        list(projection.handlers),
    )
    read = LogRead(full=bool(rows) and rows[0][10])
    previous, ordered = (-1, -1), True
    for index, row in enumerate(rows, 1):
        if index % YIELD_EVERY == 0:
            await asyncio.sleep(0)
        # (By position, in SELECT_LOG_AFTER's order: a third cheaper than by name.)
        position, transaction_id, stream_id, stream_type, version, type_, data, metadata = row[:8]
        recorded = RecordedEvent(
            position,
            transaction_id,
            stream_id,
            stream_type,
            version,
            type_,
            {},  # data: no handler reads it; the codec takes the text as it came
            _json_text(metadata),
            row[8],  # recorded_at
            row[9],  # hash
        )
        read.batch.append(recorded)
        if data is not None:
            read.events[position] = decode(codec, recorded, data)
        if (transaction_id, position) <= previous:
            ordered = False
        previous = (transaction_id, position)
    if not ordered:  # (SELECT_LOG_AFTER's plans keep the order; its text does not say so)
        read.batch.sort(key=attrgetter("transaction_id", "position"))
    return read


def decode(codec: Codec, recorded: RecordedEvent, data: str | None = None) -> Any:
    """`recorded`'s domain event from `data` (else its parsed `data`), or Undecodable."""
    text = data if data is not None else orjson.dumps(recorded.data).decode()
    try:
        return codec.decode(recorded.stream_id, recorded.version, recorded.type, text)
    except Exception as exc:
        return Undecodable(exc)


async def reader_connection(
    database_url: str, name: str, *, search_path: str | None = None
) -> asyncpg.Connection[Any]:
    """A connection of `name`'s own to read the log ahead on (it holds no lock and no
    transaction: each read is one statement)."""
    return await runner_connection(database_url, f"cso-projection-reader:{name}", search_path)


async def close_quietly(conn: asyncpg.Connection[Any]) -> None:
    """Close `conn`, or drop it when closing fails (a broken connection)."""
    try:
        await conn.close(timeout=2)
    except Exception:
        with contextlib.suppress(Exception):
            conn.terminate()


def _json_text(document: str | None) -> dict[str, Any]:
    # The log query reads metadata as text, NULL for events the projection skips.
    return {} if document is None else cast(dict[str, Any], orjson.loads(document))
