"""Keyset pagination in SQL: one statement per ordering, built once from a fixed whitelist.

A list query is a SELECT over one read-model table with optional filters written as
`($n::type IS NULL OR …)`. For each ordering it gets two statements, the first page and the
pages after a cursor (`(sort, id) > ($a, $b)`), so that an index on the sort key is walked
from the cursor on rather than skipped through.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any
from uuid import UUID

import asyncpg

from cso.database import Reader
from cso.graphql.cursors import Page, decode_cursor, encode_cursor, page_size
from cso.graphql.scalars import parse_datetime, parse_text
from cso.services.errors import InvalidInput

# A fetched row (or an in-memory dict like one): sort keys as "k0", "k1", … besides its columns.
Row = asyncpg.Record | Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Column:
    sql: str  # a column expression from the fixed whitelist, never client input
    type: str  # its PostgreSQL type, for the parameter cast and the cursor's JSON form


def _to_json(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def _integer(bits: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        number = int(value)
        if not -(2 ** (bits - 1)) <= number < 2 ** (bits - 1):
            raise ValueError(f"{number} does not fit {bits} bits")
        return number

    return parse


def _finite(value: str) -> Decimal:
    """A finite amount of at most a thousand digits either side of the point: more than any
    key a list sorts by, and far less than what the database could not encode."""
    number = Decimal(value)
    if not number.is_finite() or not -1000 <= number.adjusted() <= 1000:
        raise ValueError(f"{value} is not an amount a list sorts by")
    return number


# How a cursor's JSON value becomes a parameter of the column's type again. A cursor comes
# back from the client, so each value is checked as strictly as an argument would be: what
# the database could not take (a NUL, a moment out of range, a number too wide) is refused
# here as INVALID_INPUT on `after`.
_PARSERS: dict[str, Callable[[str], object]] = {
    "timestamptz": parse_datetime,
    "date": date.fromisoformat,
    "numeric": _finite,
    "uuid": UUID,
    "bigint": _integer(64),
    "integer": _integer(32),
    "text": partial(parse_text, field="after"),
}


def _from_json(value: object, sql_type: str) -> object:
    try:
        return _PARSERS[sql_type](str(value))
    except (ValueError, InvalidOperation, InvalidInput):
        raise InvalidInput("after is not a cursor of this list", "after") from None


@dataclass(frozen=True, slots=True)
class Ordering:
    """One way to sort a list: its key columns (the last one unique) and the direction."""

    tag: str
    key: tuple[Column, ...]
    descending: bool = False

    def cursor(self, row: Row) -> str:
        return encode_cursor(self.tag, [_to_json(row[f"k{i}"]) for i in range(len(self.key))])

    def after(self, cursor: str | None) -> list[object] | None:
        if cursor is None:
            return None
        values = decode_cursor(cursor, self.tag, len(self.key))
        return [_from_json(v, c.type) for v, c in zip(values, self.key, strict=True)]


@dataclass(frozen=True)
class ListQuery:
    """`SELECT columns FROM source WHERE where`; the filters use parameters $1..$`params`."""

    columns: str
    source: str
    where: str
    params: int

    def count_sql(self) -> str:
        return f"SELECT count(*) FROM {self.source} WHERE {self.where}"

    def page_sql(self, ordering: Ordering, with_cursor: bool) -> str:
        keys = ", ".join(f"{c.sql} AS k{i}" for i, c in enumerate(ordering.key))
        direction = "DESC" if ordering.descending else "ASC"
        order = ", ".join(f"{c.sql} {direction}" for c in ordering.key)
        where = self.where
        limit = self.params + 1
        if with_cursor:
            columns = ", ".join(c.sql for c in ordering.key)
            placeholders = ", ".join(
                f"${self.params + 1 + i}::{c.type}" for i, c in enumerate(ordering.key)
            )
            comparison = "<" if ordering.descending else ">"
            where = f"({where}) AND ({columns}) {comparison} ({placeholders})"
            limit += len(ordering.key)
        return (
            f"SELECT {keys}, {self.columns} FROM {self.source} "
            f"WHERE {where} ORDER BY {order} LIMIT ${limit}"
        )


@dataclass(frozen=True)
class Beside:
    """What a list's page fetches beside its rows in the same statement (one snapshot).

    `columns`: select-list expressions over the page's rows, a subquery named `page` (its
    columns and sort keys k0, k1, …), and over `joins` (LEFT JOINs, at most one row each);
    they may use `params` parameters of their own, written {0}, {1}, … (numbered after the
    page's when a statement is made; no other braces)."""

    columns: str
    joins: str
    params: int


class PreparedList:
    """A list query with its statements for every ordering, made once at import time; with
    `beside`, each page statement also fetches what `beside` names beside its rows."""

    def __init__(
        self, query: ListQuery, orderings: dict[str, Ordering], beside: Beside | None = None
    ) -> None:
        self.orderings = orderings
        self._count = query.count_sql()
        self._beside = beside
        self._statements = {
            (name, cursor): _with_beside(query, ordering, cursor, beside)
            for name, ordering in orderings.items()
            for cursor in (False, True)
        }

    async def fetch(
        self,
        pool: Reader,
        params: Sequence[object],
        order: str,
        first: int | None,
        after: str | None,
        beside: Sequence[object] = (),
    ) -> tuple[Page, list[asyncpg.Record]]:
        """The page's rows, plus one more when another page follows; `beside`: the values
        of the Beside's own parameters (as many as it has)."""
        expected = 0 if self._beside is None else self._beside.params
        if len(beside) != expected:
            raise ValueError(f"this list takes {expected} parameters beside its filter")
        ordering = self.orderings[order]
        page = Page(page_size(first), ordering.after(after))
        sql = self._statements[(order, page.after is not None)]
        rows = await pool.fetch(sql, *params, *(page.after or ()), page.fetch, *beside)
        return page, rows

    def statement(self, order: str, with_cursor: bool) -> str:
        """The page statement `fetch` runs (for EXPLAIN in tests and by hand)."""
        return self._statements[(order, with_cursor)]

    @property
    def count_statement(self) -> str:
        """The statement `count` runs (for EXPLAIN in tests and by hand)."""
        return self._count

    async def count(self, pool: Reader, params: Sequence[object]) -> int:
        total: int = await pool.fetchval(self._count, *params)
        return total


def _with_beside(
    query: ListQuery, ordering: Ordering, with_cursor: bool, beside: Beside | None
) -> str:
    """The page statement; with `beside`, the page as a subquery with what it fetches beside
    each row, ordered again (a join keeps no order of its own)."""
    page = query.page_sql(ordering, with_cursor)
    if beside is None:
        return page
    taken = query.params + 1 + (len(ordering.key) if with_cursor else 0)  # filter, key, limit
    own = [f"${taken + 1 + n}" for n in range(beside.params)]
    direction = "DESC" if ordering.descending else "ASC"
    order = ", ".join(f"page.k{i} {direction}" for i in range(len(ordering.key)))
    columns, joins = beside.columns.format(*own), beside.joins.format(*own)
    return f"SELECT page.*, {columns} FROM ({page}) page {joins} ORDER BY {order}"


def orderings(tag: str, sorts: dict[str, Column], unique: Column) -> dict[str, Ordering]:
    """Both directions of every sort, keyed "FIELD:ASC"; ties go by the `unique` column."""
    result: dict[str, Ordering] = {}
    for field, column in sorts.items():
        key = (column,) if column == unique else (column, unique)
        for direction in ("ASC", "DESC"):
            name = f"{field}:{direction}"
            result[name] = Ordering(f"{tag}:{name}", key, direction == "DESC")
    return result


def name_orderings(tag: str, alias: str) -> dict[str, Ordering]:
    """The orderings of a list sorted as NameOrderField says (created, updated, name; ties
    by id), over the read-model table aliased `alias` in the list's source."""
    return orderings(
        tag,
        {
            "CREATED_AT": Column(f"{alias}.created_at", "timestamptz"),
            "UPDATED_AT": Column(f"{alias}.updated_at", "timestamptz"),
            "NAME": Column(f"{alias}.name", "text"),
        },
        Column(f"{alias}.id", "uuid"),
    )
