"""What the object types share: reading an aggregate the read models do not show yet."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Container
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from cso.eventstore import StreamNotFound
from cso.graphql.context import Context
from cso.graphql.keyset import Row
from cso.graphql.scalars import to_id

A = TypeVar("A", bound=Aggregate)
T = TypeVar("T")


async def view_aggregate(
    context: Context,
    aggregate_id: UUID,
    kind: type[A],
    view: Callable[[A], T],
    *,
    version: int | None = None,
    as_of: datetime | None = None,
) -> T | None:
    """`view` of the aggregate (now, or replayed to a version or a moment), or None.

    The repository hands out a copy of what it caches, so the view may keep it.
    """
    repository = context.runtime.repository
    try:
        aggregate = await repository.get(aggregate_id, kind, version=version, as_of=as_of)
    except StreamNotFound:
        return None
    return view(aggregate)


async def views_of_unprojected(
    context: Context,
    ids: list[UUID],
    projected: Container[UUID],
    kind: type[A],
    view: Callable[[A], T],
) -> dict[UUID, T]:
    """Views of the aggregates the read model lacks: written, but not yet projected."""
    views: dict[UUID, T] = {}
    for aggregate_id in dict.fromkeys(ids):
        if aggregate_id not in projected:
            found = await view_aggregate(context, aggregate_id, kind, view)
            if found is not None:
                views[aggregate_id] = found
    return views


def unprojected(
    kind: type[A], view: Callable[[A], T]
) -> Callable[[Context, list[UUID], set[UUID]], Awaitable[dict[UUID, T]]]:
    """A `batch_by_id` fallback: the aggregates the read model lacks, through `view` (the
    aggregate put in the read model's row shape, then the type's one mapper)."""

    async def fallback(context: Context, ids: list[UUID], found: set[UUID]) -> dict[UUID, T]:
        return await views_of_unprojected(context, ids, found, kind, view)

    return fallback


def stamp_of(row: Row) -> dict[str, Any]:
    """The fields every aggregate's type reads alike from its row: the id (as an ID), the
    version, and the times it was created and last changed."""
    return {
        "id": to_id(row["id"]),
        "version": row["version"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def stamp_row(aggregate: Aggregate) -> dict[str, Any]:
    """An aggregate's id, version and times in the read models' row shape."""
    return {
        "id": aggregate.id,
        "version": aggregate.version,
        "created_at": aggregate.created_on,
        "updated_at": aggregate.modified_on,
    }
