"""The audit queries, for auditors and supervisors: histories, the log, verification, lag."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import strawberry
from strawberry.types import Info

from cso.eventstore.sql import EVENT_COLUMNS
from cso.graphql import fields, sql
from cso.graphql.connections import Connection, list_connection
from cso.graphql.context import Context
from cso.graphql.enums import SortDirection
from cso.graphql.keyset import Column, ListQuery, PreparedList, orderings
from cso.graphql.queries.common import ordering_name
from cso.graphql.scalars import BigInt, parse_id, parse_optional_id, parse_optional_text, parse_text
from cso.graphql.types.event import (
    Event,
    ProjectionStatus,
    Verification,
    event_of,
    recorded_of,
)
from cso.services import personal_data, policy
from cso.services.errors import InvalidInput, NotFound

POSITION = Column("position", "bigint")

EVENTS = PreparedList(
    ListQuery(
        columns=EVENT_COLUMNS,
        source="events",
        where="""($1::text IS NULL OR metadata -> 'actor' ->> 'id' = $1::text)
          AND ($2::text IS NULL OR stream_type = $2::text)
          AND ($3::text IS NULL OR $3::text IN (type, split_part(type, ':', 2)))
          AND ($4::timestamptz IS NULL OR recorded_at >= $4::timestamptz)
          AND ($5::timestamptz IS NULL OR recorded_at <= $5::timestamptz)
          AND ($6::uuid IS NULL OR stream_id = $6::uuid)""",
        params=6,
    ),
    orderings("events", {"POSITION": POSITION}, POSITION),
)


@strawberry.input
class AuditFilter:
    actor_id: str | None = strawberry.field(default=None, description="The token's subject.")
    stream_type: str | None = strawberry.field(default=None, description="e.g. Project.")
    stream_id: strawberry.ID | None = None
    type: str | None = strawberry.field(
        default=None, description="The event class, e.g. Project.CsoAssigned."
    )
    from_: datetime | None = strawberry.field(
        default=None, name="from", description="Recorded at or after."
    )
    to: datetime | None = strawberry.field(default=None, description="Recorded at or before.")


def auditor(info: Info[Context, None]) -> None:
    """Audit queries need a token (UNAUTHENTICATED) of a role the policy allows (FORBIDDEN)."""
    policy.require_auditor(info.context.viewer)


@strawberry.type
class AuditQueries:
    @fields.field(
        "A stream's events in version order (auditors, supervisors); a version below 1 or "
        "fromVersion after toVersion is INVALID_INPUT."
    )
    async def stream_history(
        self,
        info: Info[Context, None],
        stream_id: strawberry.ID,
        from_version: int | None = None,
        to_version: int | None = None,
    ) -> list[Event]:
        auditor(info)
        key = parse_id(stream_id, "streamId")
        for name, value in (("fromVersion", from_version), ("toVersion", to_version)):
            if value is not None and value < 1:
                raise InvalidInput(f"versions count from 1, not {value}", name)
        if from_version is not None and to_version is not None and from_version > to_version:
            raise InvalidInput(
                f"fromVersion {from_version} is after toVersion {to_version}", "fromVersion"
            )
        events = await info.context.runtime.store.read_stream(
            key, from_version=from_version or 1, to_version=to_version
        )
        return [event_of(info.context, e) for e in events]

    @fields.field("The log in position order (auditors, supervisors).")
    async def audit_log(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter: AuditFilter | None = None,
        direction: SortDirection = SortDirection.ASC,
    ) -> Connection[Event]:
        auditor(info)
        context = info.context
        f = filter or AuditFilter()
        params = [
            parse_optional_text(f.actor_id, "actorId"),
            parse_optional_text(f.stream_type, "streamType"),
            parse_optional_text(f.type, "type"),
            f.from_,
            f.to,
            parse_optional_id(f.stream_id, "streamId"),
        ]
        name = ordering_name("POSITION", direction)

        def node(row: asyncpg.Record) -> Event:
            return event_of(context, recorded_of(row))

        return await list_connection(context.db, EVENTS, params, name, first, after, node)

    @fields.field("Everything one request caused (auditors, supervisors).")
    async def events_by_correlation(
        self, info: Info[Context, None], correlation_id: str
    ) -> list[Event]:
        auditor(info)
        correlation_id = parse_text(correlation_id, "correlationId")
        rows = await info.context.db.fetch(sql.EVENTS_BY_CORRELATION, correlation_id)
        return [event_of(info.context, recorded_of(row)) for row in rows]

    @fields.field(
        "Recompute a stream's hash chain (auditors, supervisors); an erased subject's stream "
        "still verifies, and says it was erased."
    )
    async def verify_stream(
        self, info: Info[Context, None], stream_id: strawberry.ID
    ) -> Verification:
        auditor(info)
        key = parse_id(stream_id, "streamId")
        result = await info.context.runtime.store.verify_stream(key)
        if result.events_checked == 0:
            raise NotFound(f"no stream {stream_id}")
        erased = await personal_data.stream_erased(info.context.db, key)
        return Verification(
            ok=result.ok,
            events_checked=result.events_checked,
            first_bad_version=result.first_bad_version,
            personal_data_erased=erased,
        )

    @fields.field("Each projection's position and lag (auditors, supervisors).")
    async def projection_status(self, info: Info[Context, None]) -> list[ProjectionStatus]:
        auditor(info)
        statuses = await info.context.runtime.projections.status()
        return [
            ProjectionStatus(
                name=s.name,
                position=BigInt(s.position),
                lag_events=BigInt(s.lag_events),
                lag_seconds=s.lag_seconds or 0.0,
                running=s.running,
                last_error=s.last_error,
                failures=s.failures,
            )
            for s in statuses
        ]
