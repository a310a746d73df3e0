"""What the object types share: reading an aggregate the read models do not show yet."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Container, Mapping
from datetime import datetime
from operator import itemgetter
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


class _FromRow:
    """A field of a `row_mapper` instance: read from its row when first read, then kept in
    the instance's dict, which takes over (a non-data descriptor): no exception on the
    first read, as `__getattr__` would cost, and a plain dict hit after it."""

    __slots__ = ("name", "read")

    def __init__(self, name: str, read: Callable[[Row], Any]) -> None:
        self.name = name
        self.read = read

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.read(instance._row)
        return value


def row_mapper(kind: type[T], readers: Mapping[str, Callable[[Row], Any]]) -> Callable[[Row], T]:
    """A type's one mapper from a row: an instance (of a subclass of `kind`, a Strawberry
    type) that reads each field from the row when the field is first read, then keeps it.

    A page holds many nodes and shows few of their fields: mapping every field of every row
    cost more than the rest of its resolver. `readers` says how each data field (one with
    no resolver) is read from a row, and must name them all (TypeError at import if not).
    None may have a default: a default is what the type's own constructor is for. A bad
    value fails the field that reads it."""
    declared = dataclasses.fields(kind)  # type: ignore[arg-type]  # a Strawberry type is one
    data_fields = {f.name for f in declared if not hasattr(kind, f.name)}
    if data_fields != set(readers):
        raise TypeError(f"{kind.__name__} has the fields {sorted(data_fields)} to read")

    def __init__(self: Any, row: Row) -> None:
        self._row = row

    namespace: dict[str, Any] = {name: _FromRow(name, read) for name, read in readers.items()}
    namespace |= {"__init__": __init__, "__module__": kind.__module__}
    mapper: Callable[[Row], T] = type(f"{kind.__name__}OfRow", (kind,), namespace)
    return mapper


def as_is(*names: str) -> dict[str, Callable[[Row], Any]]:
    """`row_mapper` readers of fields their row holds as they are (the column of that name)."""
    return {name: itemgetter(name) for name in names}


# How `row_mapper`s read the fields every aggregate's type has: the id (as an ID), the
# version, and the times it was created and last changed.
STAMP_READERS: dict[str, Callable[[Row], Any]] = {
    "id": lambda row: to_id(row["id"]),
    **as_is("version", "created_at", "updated_at"),
}


def stamp_of(row: Row) -> dict[str, Any]:
    """The fields every aggregate's type reads alike from its row: the id (as an ID), the
    version, and the times it was created and last changed."""
    return {name: read(row) for name, read in STAMP_READERS.items()}


def stamp_row(aggregate: Aggregate) -> dict[str, Any]:
    """An aggregate's id, version and times in the read models' row shape."""
    return {
        "id": aggregate.id,
        "version": aggregate.version,
        "created_at": aggregate.created_on,
        "updated_at": aggregate.modified_on,
    }
