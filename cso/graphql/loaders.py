"""DataLoaders, made per request: one batched statement per kind of lookup, not one per row.

A batch function takes the request's Context and the keys; `loader(context, batch)` gives
the request's DataLoader for it, made on first use. Modules keep their own batch functions
next to the types they load, so this module depends on none of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, TypeVar
from uuid import UUID

from strawberry.dataloader import DataLoader

from cso.graphql.context import Context
from cso.graphql.keyset import Row

K = TypeVar("K")
V = TypeVar("V")

Batch = Callable[[Context, list[K]], Awaitable[Sequence[V]]]


class Loaders:
    """The DataLoaders of one request (or of one subscription result)."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._loaders: dict[Callable[..., Any], DataLoader[Any, Any]] = {}

    def get(self, batch: Batch[K, V]) -> DataLoader[K, V]:
        found = self._loaders.get(batch)
        if found is None:
            found = DataLoader(load_fn=partial(batch, self._context))
            self._loaders[batch] = found
        return found


def loaders_of(context: Context) -> Loaders:
    """The context's loaders, made on first use; they live as long as the context."""
    found = context.loaders
    if not isinstance(found, Loaders):
        found = renew_loaders(context)
    return found


def renew_loaders(context: Context) -> Loaders:
    """Forget every cached value: a subscription does this before each result it sends."""
    fresh = Loaders(context)
    context.loaders = fresh
    return fresh


def loader(context: Context, batch: Batch[K, V]) -> DataLoader[K, V]:
    return loaders_of(context).get(batch)


RowsById = Callable[[Any, Sequence[UUID]], Awaitable[Sequence[Row]]]


def batch_by_id(
    rows_by_ids: RowsById,
    node: Callable[[Row], V],
    unprojected: Callable[[Context, list[UUID], set[UUID]], Awaitable[dict[UUID, V]]] | None = None,
) -> Batch[UUID, V | None]:
    """The one DataLoader batch by id over a read model's "by ids" query.

    `rows_by_ids(db, ids)` answers rows with an "id" column; `node` maps each (the type's
    one mapper); `unprojected(context, ids, found)` may supply what the read model lacks yet
    (written, not yet projected). Make it once per type, at import: the loaders of a request
    are keyed by the batch function.
    """

    async def batch(context: Context, ids: list[UUID]) -> list[V | None]:
        found: dict[UUID, V] = {row["id"]: node(row) for row in await rows_by_ids(context.db, ids)}
        if unprojected is not None:
            found |= await unprojected(context, ids, set(found))
        return [found.get(key) for key in ids]

    return batch


async def load_by_id(context: Context, batch: Batch[UUID, V | None], key: UUID | None) -> V | None:
    """What `key` names, through the request's loader for `batch`; None for no key."""
    if key is None:
        return None
    return await loader(context, batch).load(key)
