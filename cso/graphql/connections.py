"""Relay connections (API.md): `edges { cursor node }`, `pageInfo`, `totalCount`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry

from cso.database import Reader
from cso.graphql import fields
from cso.graphql.cursors import Page
from cso.graphql.keyset import Ordering, PreparedList, Row

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool = strawberry.field(
        description="True when the page starts after a cursor."
    )
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @fields.field("How many items match the filter, on every page.")
    async def total_count(self) -> int:
        return await self.count()

    @fields.field("The nodes of the edges, for clients that need no cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


class _KeyedEdge(Edge[T]):
    """An edge whose cursor is encoded from its row's sort key when first read: most pages
    show no cursor but the last (pageInfo's), and encoding one costs more than its node."""

    def __init__(self, node: T, row: Row, ordering: Ordering) -> None:
        self.node = node
        self._key = (row, ordering)

    def __getattr__(self, name: str) -> Any:
        if name != "cursor":
            raise AttributeError(name)
        row, ordering = self._key
        self.cursor = ordering.cursor(row)
        return self.cursor


def connection(
    page: Page,
    rows: Sequence[Row],
    ordering: Ordering,
    node: Callable[[Any], T],
    count: Callable[[], Awaitable[int]],
) -> Connection[T]:
    """The page of `rows` (fetched with one extra row) as a connection."""
    shown = rows[: page.size]
    edges: list[Edge[T]] = [_KeyedEdge(node(row), row, ordering) for row in shown]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > page.size,
            has_previous_page=page.after is not None,
            start_cursor=ordering.cursor(shown[0]) if shown else None,
            end_cursor=ordering.cursor(shown[-1]) if shown else None,
        ),
        count=count,
    )


async def list_connection(
    pool: Reader,
    listed: PreparedList,
    params: Sequence[object],
    order: str,
    first: int | None,
    after: str | None,
    node: Callable[[Any], T],
    beside: Sequence[object] = (),
) -> Connection[T]:
    """A page of a prepared list (filter `params`, ordering `order`, `beside`: the values
    of what it fetches beside its rows, keyset.Beside) as a connection; its totalCount is
    counted only when asked for."""
    page, rows = await listed.fetch(pool, params, order, first, after, beside)

    async def count() -> int:
        return await listed.count(pool, params)

    return connection(page, rows, listed.orderings[order], node, count)
