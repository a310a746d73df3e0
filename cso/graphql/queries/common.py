"""Inputs and helpers the list queries share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol, TypeVar
from uuid import UUID

import strawberry
from eventsourcing.domain import Aggregate
from strawberry.types import Info

from cso.graphql.context import Context
from cso.graphql.enums import NameOrderField, SortDirection
from cso.graphql.loaders import Batch, loader
from cso.graphql.scalars import parse_id
from cso.graphql.types.common import view_aggregate
from cso.services import policy
from cso.services.errors import InvalidInput, NotFound
from cso.services.identity import Principal


class Versioned(Protocol):
    """An aggregate's GraphQL type: every one has the version that last wrote it."""

    @property
    def version(self) -> int: ...


V = TypeVar("V", bound=Versioned)
A = TypeVar("A", bound=Aggregate)


@strawberry.input(description="Sort by a field, then by id.")
class NameOrder:
    field: NameOrderField = NameOrderField.CREATED_AT
    direction: SortDirection = SortDirection.ASC


def ordering_name(field: str, direction: SortDirection) -> str:
    return f"{field}:{direction.value}"


def name_ordering(order: NameOrder | None) -> str:
    order = order or NameOrder()
    return ordering_name(order.field.value, order.direction)


def search_pattern(search: str | None) -> str | None:
    """An ILIKE pattern that finds `search` anywhere, its own % and _ taken literally."""
    if search is None or not search.strip():
        return None
    escaped = search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def reader(info: Info[Context, None]) -> Principal:
    """Every read needs a token (UNAUTHENTICATED otherwise); the policy says which roles."""
    return policy.require_reader(info.context.viewer)


async def now_or_replayed(
    info: Info[Context, None],
    id: strawberry.ID,
    batch: Batch[UUID, V | None],
    replay: Callable[[Context, UUID, int | None, datetime | None], Awaitable[V | None]],
    as_of: datetime | None,
    version: int | None,
) -> V | None:
    """The object `id` names: from its read model through `batch` now, or `replay`ed from its
    events to `version` and/or `as_of` (None before it existed). Raises InvalidInput for a
    bad id or a version below 1, NotFound for a version beyond the object's latest (with
    `as_of` too, the version may lie beyond what was recorded by then: that answers the
    object as it was at `as_of`)."""
    reader(info)
    key = parse_id(id, "id")
    if as_of is None and version is None:
        return await loader(info.context, batch).load(key)
    if version is not None and version < 1:
        raise InvalidInput(f"version counts from 1, not {version}", "version")
    found = await replay(info.context, key, version, as_of)
    if found is not None and version is not None and as_of is None and found.version < version:
        raise NotFound(f"{id} has no version {version}; its latest is {found.version}")
    return found


def replayer(
    kind: type[A], view: Callable[[A], V]
) -> Callable[[Context, UUID, int | None, datetime | None], Awaitable[V | None]]:
    """A `replay` for `now_or_replayed`: `view` of the aggregate of `kind` replayed."""

    async def replay(
        context: Context, key: UUID, version: int | None, as_of: datetime | None
    ) -> V | None:
        return await view_aggregate(context, key, kind, view, version=version, as_of=as_of)

    return replay
