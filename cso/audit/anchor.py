"""Anchors: a digest over every stream's head at a place in the log, kept outside the system.

`cso anchor` prints one; `cso verify --anchor FILE` proves that nothing recorded up to its
place has changed since. Document (JSON, format "cso-anchor/1"):

    {"format": "cso-anchor/1", "transaction_id": 812, "position": 40211,
     "anchored_at": "2026-11-30T01:02:03.000000+00:00", "streams": 5120, "events": 40211,
     "digest": "<sha256 hex over each stream's (id, last version, last hash) in id order>"}

The place is a (transaction id, position) pair of the log's commit order below the
watermark, so every event up to it had committed when the anchor was taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson

from cso.audit import sql
from cso.audit.verify import Advance, heads_digest, verify_log
from cso.eventstore import Checkpoint
from cso.eventstore.sql import SELECT_HEAD

FORMAT = "cso-anchor/1"


class BadAnchor(ValueError):
    """The anchor document is not one `cso anchor` printed."""


@dataclass(frozen=True, slots=True)
class Anchor:
    transaction_id: int
    position: int
    anchored_at: datetime
    streams: int
    events: int
    digest: str

    @property
    def checkpoint(self) -> Checkpoint:
        return Checkpoint(self.transaction_id, self.position)

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "format": FORMAT,
                "transaction_id": self.transaction_id,
                "position": self.position,
                "anchored_at": self.anchored_at.isoformat(timespec="microseconds"),
                "streams": self.streams,
                "events": self.events,
                "digest": self.digest,
            },
            option=orjson.OPT_INDENT_2,
        )

    @classmethod
    def from_json(cls, text: bytes | str) -> Anchor:
        """Raises BadAnchor for anything but an anchor document."""
        try:
            doc = orjson.loads(text)
            if doc.get("format") != FORMAT:
                raise BadAnchor(f"not a {FORMAT} document")
            return cls(
                transaction_id=int(doc["transaction_id"]),
                position=int(doc["position"]),
                anchored_at=datetime.fromisoformat(doc["anchored_at"]),
                streams=int(doc["streams"]),
                events=int(doc["events"]),
                digest=str(doc["digest"]),
            )
        except (orjson.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, BadAnchor):
                raise
            raise BadAnchor(f"not an anchor document: {exc}") from None


async def take_anchor(conn: asyncpg.Connection[Any]) -> Anchor:
    """An anchor at the log's settled head (an empty log anchors at (0, 0))."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        row = await conn.fetchrow(SELECT_HEAD)
        place = Checkpoint() if row is None else Checkpoint(int(row[0]), int(row[1]))
        heads = await conn.fetch(sql.HEADS_AT, place.transaction_id, place.position)
        events = sum(head["version"] for head in heads)
    return Anchor(
        transaction_id=place.transaction_id,
        position=place.position,
        anchored_at=datetime.now(UTC),
        streams=len(heads),
        events=events,
        digest=heads_digest((h["stream_id"], h["version"], bytes(h["hash"])) for h in heads),
    )


@dataclass(frozen=True, slots=True)
class AnchorCheck:
    """Whether the log up to the anchor's place still digests to the anchor's digest, and the
    streams found changed: broken chains by their first bad version."""

    ok: bool
    digest: str
    streams: int
    events: int
    changed: list[tuple[str, str, int]]  # (stream id, stream type, first bad version)


async def check_anchor(
    conn: asyncpg.Connection[Any], anchor: Anchor, advance: Advance | None = None
) -> AnchorCheck:
    """Recompute each stream's chain up to the anchor's place and the digest of their heads.

    A stream edited behind the triggers' back breaks its chain and is named. One rewritten
    with freshly computed hashes keeps a whole chain but changes its head: the digest (and
    perhaps the counts) then differ, though the anchor, being one digest, cannot say which
    stream it was; an export of the time (`cso export`, per-stream heads) can.
    """
    found = await verify_log(conn, upto=anchor.checkpoint, advance=advance)
    digest = heads_digest((key, version, head) for key, (version, head) in found.heads.items())
    changed = [(str(b.stream_id), b.stream_type, b.first_bad_version) for b in found.bad]
    return AnchorCheck(
        ok=digest == anchor.digest and not changed,
        digest=digest,
        streams=found.streams,
        events=found.events,
        changed=changed,
    )
