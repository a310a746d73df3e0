"""`cso export`: the log (one stream, or every stream since a moment) as NDJSON with hashes.

Each line but the last is one event, in position order:

    {"position": 17, "stream_id": "…", "stream_type": "Project", "version": 3,
     "type": "cso.domain.project:Project.CsoAssigned", "data": {…}, "metadata": {…},
     "recorded_at": "2026-03-01T01:02:03.000000+00:00", "previous_hash": "<hex>",
     "hash": "<hex>"}

`hash` is sha256 over `previous_hash` and the canonical encoding of the event as stored
(cso.eventstore.hashing), so each line can be checked on its own and each stream's lines
chain. The last line is the manifest, which makes removing lines at a stream's end (or the
file's) visible: {"manifest": {"format": "cso-export/1", "exported_at": …, "stream_id": …,
"since": …, "events": N, "streams": {"<id>": {"first_version": 1, "last_version": 9,
"events": 9, "head": "<hex>"}}}}.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from cso.audit import sql
from cso.audit.verify import CURSOR_PREFETCH, Advance
from cso.eventstore.hashing import GENESIS

FORMAT = "cso-export/1"

Write = Callable[[bytes], Any]


def time_text(moment: datetime) -> str:
    """The one way an export writes a time (UTC, microseconds), as the hash encodes it."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


async def export_log(
    conn: asyncpg.Connection[Any],
    write: Write,
    *,
    stream_id: UUID | None = None,
    since: datetime | None = None,
    advance: Advance | None = None,
) -> int:
    """Write the chosen events, then the manifest, through `write` (bytes, one line each);
    returns how many events were written. One consistent snapshot of the log."""
    streams: dict[str, dict[str, Any]] = {}
    count = 0
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        async for row in conn.cursor(
            sql.EXPORT, stream_id, since, GENESIS, prefetch=CURSOR_PREFETCH
        ):
            key = str(row["stream_id"])
            head = bytes(row["hash"]).hex()
            line = {
                "position": row["position"],
                "stream_id": key,
                "stream_type": row["stream_type"],
                "version": row["version"],
                "type": row["type"],
                "data": orjson.Fragment(row["data"]),
                "metadata": orjson.Fragment(row["metadata"]),
                "recorded_at": time_text(row["recorded_at"]),
                "previous_hash": bytes(row["previous_hash"]).hex(),
                "hash": head,
            }
            write(orjson.dumps(line) + b"\n")
            seen = streams.setdefault(key, {"first_version": row["version"], "events": 0})
            seen.update(last_version=row["version"], head=head, events=seen["events"] + 1)
            count += 1
            if advance is not None and count % CURSOR_PREFETCH == 0:
                advance(CURSOR_PREFETCH)
    manifest = {
        "format": FORMAT,
        "exported_at": time_text(datetime.now(UTC)),
        "stream_id": None if stream_id is None else str(stream_id),
        "since": None if since is None else time_text(since),
        "events": count,
        "streams": streams,
    }
    write(orjson.dumps({"manifest": manifest}) + b"\n")
    if advance is not None:
        advance(count % CURSOR_PREFETCH)
    return count


async def events_to_export(
    conn: asyncpg.Connection[Any], stream_id: UUID | None, since: datetime | None
) -> int:
    """About how many events `export_log` will write (a progress bar's total)."""
    found: int = await conn.fetchval(sql.COUNT_EXPORT, stream_id, since)
    return found
