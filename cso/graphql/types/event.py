"""Events as auditors read them, and what the audit queries answer besides."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import fields
from datetime import datetime
from uuid import UUID

import asyncpg
import strawberry
from strawberry.types import Info

from cso.eventstore import Metadata, RecordedEvent
from cso.graphql import sql
from cso.graphql.context import Context
from cso.graphql.loaders import loader
from cso.graphql.privacy import masked_event_data
from cso.graphql.scalars import JSON, BigInt, to_id


@strawberry.type(description="Who caused an event, as their token named them.")
class Actor:
    id: str
    role: str
    name: str


@strawberry.type(description="One recorded event of the append-only log.")
class Event:
    position: BigInt = strawberry.field(description="The event's place in the log (64 bits).")
    stream_id: strawberry.ID
    stream_type: str
    version: int
    type: str = strawberry.field(description="The event class, e.g. Project.CsoAssigned.")
    topic: str = strawberry.field(description="The stored type, module and class.")
    data: JSON
    recorded_at: datetime
    actor: Actor
    correlation_id: str | None
    causation_id: str | None
    reason: str | None
    hash: str = strawberry.field(description="SHA-256 over the previous hash and this event, hex.")
    token: str = strawberry.field(
        description="The event's place in commit order: a consistency token to resume after."
    )


def readable_type(topic: str) -> str:
    """`cso.domain.project:Project.CsoAssigned` reads `Project.CsoAssigned`."""
    return topic.rpartition(":")[2]


def event_of(context: Context, recorded: RecordedEvent) -> Event:
    metadata = Metadata.from_json(recorded.metadata or {})
    actor = metadata.actor
    plain = context.runtime.repository.codec.plain(recorded.data)
    return Event(
        position=BigInt(recorded.position),
        stream_id=to_id(recorded.stream_id),
        stream_type=recorded.stream_type,
        version=recorded.version,
        type=readable_type(recorded.type),
        topic=recorded.type,
        data=masked_event_data(context.viewer, recorded.stream_type, recorded.stream_id, plain),
        recorded_at=recorded.recorded_at,
        actor=Actor(id=actor.id, role=actor.role, name=actor.name),
        correlation_id=metadata.correlation_id,
        causation_id=metadata.causation_id,
        reason=metadata.reason,
        hash=recorded.hash.hex(),
        token=recorded.checkpoint.token(),
    )


_RECORDED_FIELDS = tuple(f.name for f in fields(RecordedEvent))


def recorded_of(row: asyncpg.Record) -> RecordedEvent:
    """A row selected with the store's EVENT_COLUMNS as the store's own record."""
    return RecordedEvent(**{name: row[name] for name in _RECORDED_FIELDS})


async def histories(context: Context, keys: list[tuple[UUID, int]]) -> list[list[RecordedEvent]]:
    """Each (stream, version)'s events up to that version, all in one statement."""
    rows = await context.db.fetch(
        sql.HISTORY_BY_STREAM, [stream for stream, _ in keys], [version for _, version in keys]
    )
    found: dict[int, list[RecordedEvent]] = defaultdict(list)
    for row in rows:
        found[row["n"]].append(recorded_of(row))
    return [found.get(n, []) for n in range(1, len(keys) + 1)]


async def history(info: Info[Context, None], stream_id: str, up_to_version: int) -> list[Event]:
    """A stream's events up to the version the object shows (a replayed one stops early)."""
    context = info.context
    events = await loader(context, histories).load((UUID(stream_id), up_to_version))
    return [event_of(context, e) for e in events]


@strawberry.type(description="The result of recomputing a stream's hash chain.")
class Verification:
    ok: bool
    events_checked: int
    first_bad_version: int | None
    personal_data_erased: bool = strawberry.field(
        default=False,
        description="The stream's subject had their personal data erased; the chain still "
        "verifies (its events hold ciphertext, and erasure destroys only the key).",
    )


@strawberry.type(description="How far a projection has read the log, and how far behind it is.")
class ProjectionStatus:
    name: str
    position: BigInt = strawberry.field(description="The last event applied (64 bits).")
    lag_events: BigInt = strawberry.field(description="Events in the log not applied yet.")
    lag_seconds: float = strawberry.field(description="Age of the oldest unapplied event.")
    running: bool = strawberry.field(description="A runner in the answering process runs it.")
    last_error: str | None
    failures: int
