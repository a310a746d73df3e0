from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from cso.graphql.cursors import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    decode_cursor,
    encode_cursor,
    page_size,
)
from cso.graphql.keyset import Column, ListQuery, Ordering, orderings
from cso.services.errors import InvalidInput

ID = Column("t.id", "uuid")
SORTS = {
    "CREATED_AT": Column("t.created_at", "timestamptz"),
    "SIGNED_ON": Column("t.signed_on", "date"),
    "INVESTMENT": Column("t.investment", "numeric"),
    "NAME": Column("t.name", "text"),
}
ORDERINGS = orderings("things", SORTS, ID)
QUERY = ListQuery(columns="t.id, t.name", source="things t", where="t.kind = $1", params=1)


def test_a_page_has_20_items_unless_asked_for_up_to_100() -> None:
    assert page_size(None) == DEFAULT_PAGE_SIZE == 20
    assert page_size(0) == 0
    assert page_size(MAX_PAGE_SIZE) == 100


@pytest.mark.parametrize("first", [101, -1])
def test_more_than_100_or_a_negative_page_is_invalid_input_on_first(first: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        page_size(first)
    assert refused.value.field == "first"


@pytest.mark.parametrize(
    ("order", "value"),
    [
        ("CREATED_AT:DESC", datetime(2025, 1, 31, 9, 30, tzinfo=UTC)),
        ("SIGNED_ON:ASC", date(2025, 1, 31)),
        ("INVESTMENT:ASC", Decimal("12500.10")),
        ("NAME:DESC", "示例项目"),
    ],
)
def test_a_cursor_gives_back_the_sort_key_it_was_made_from(order: str, value: object) -> None:
    row_id = uuid4()
    ordering = ORDERINGS[order]
    cursor = ordering.cursor({"k0": value, "k1": row_id})
    assert ordering.after(cursor) == [value, row_id]


def test_a_cursor_is_opaque() -> None:
    cursor = ORDERINGS["NAME:ASC"].cursor({"k0": "secret name", "k1": uuid4()})
    assert "secret" not in cursor and "NAME" not in cursor


def test_a_cursor_of_another_ordering_is_invalid_input_on_after() -> None:
    cursor = ORDERINGS["NAME:ASC"].cursor({"k0": "a", "k1": uuid4()})
    with pytest.raises(InvalidInput) as refused:
        ORDERINGS["NAME:DESC"].after(cursor)
    assert refused.value.field == "after"


@pytest.mark.parametrize("cursor", ["", "not a cursor", "W10", "!!!"])
def test_garbage_is_not_a_cursor(cursor: str) -> None:
    with pytest.raises(InvalidInput):
        decode_cursor(cursor, "things:NAME:ASC", 2)


def test_a_cursor_with_a_malformed_key_is_invalid_input() -> None:
    cursor = ORDERINGS["SIGNED_ON:ASC"].cursor({"k0": "not a date", "k1": uuid4()})
    with pytest.raises(InvalidInput):
        ORDERINGS["SIGNED_ON:ASC"].after(cursor)


def test_the_first_page_is_ordered_by_the_key_and_then_the_id() -> None:
    sql = QUERY.page_sql(ORDERINGS["NAME:DESC"], with_cursor=False)
    assert sql.endswith("WHERE t.kind = $1 ORDER BY t.name DESC, t.id DESC LIMIT $2")


def test_a_later_page_starts_strictly_after_the_cursor_row_without_an_offset() -> None:
    sql = QUERY.page_sql(ORDERINGS["CREATED_AT:ASC"], with_cursor=True)
    assert "(t.created_at, t.id) > ($2::timestamptz, $3::uuid)" in sql
    assert sql.endswith("LIMIT $4")
    assert "OFFSET" not in sql.upper()


def test_a_descending_later_page_looks_below_the_cursor() -> None:
    sql = QUERY.page_sql(ORDERINGS["INVESTMENT:DESC"], with_cursor=True)
    assert "(t.investment, t.id) < ($2::numeric, $3::uuid)" in sql


def test_a_unique_sort_key_is_not_repeated_as_its_own_tie_breaker() -> None:
    position = Column("position", "bigint")
    ordering = orderings("events", {"POSITION": position}, position)["POSITION:ASC"]
    assert ordering.key == (position,)


def test_the_count_uses_the_same_filter() -> None:
    assert QUERY.count_sql() == "SELECT count(*) FROM things t WHERE t.kind = $1"


def _forged(order: str, *key: object) -> str:
    """A cursor a client made up, for an ordering of ORDERINGS (JSON with \\u escapes, as a
    client may write it, lone surrogates included)."""
    raw = json.dumps([f"things:{order}", *key]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("order", "key"),
    [
        ("NAME:ASC", "a\x00b"),  # text cannot hold a NUL
        ("NAME:ASC", "\ud800"),  # a lone surrogate has no UTF-8 form
        ("CREATED_AT:ASC", "0001-01-01T00:00:00+05:00"),  # no UTC form
        ("CREATED_AT:ASC", "2025-01-31T09:30:00"),  # no offset
        ("INVESTMENT:ASC", "NaN"),
        ("INVESTMENT:ASC", "Infinity"),
        ("INVESTMENT:ASC", "1e999999"),  # too wide to encode as numeric
    ],
)
def test_a_cursor_whose_key_the_database_could_not_take_is_invalid_input_on_after(
    order: str, key: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        ORDERINGS[order].after(_forged(order, key, str(uuid4())))
    assert refused.value.field == "after"


@pytest.mark.parametrize(("sql_type", "value"), [("bigint", 2**63), ("integer", 2**31)])
def test_a_cursor_whose_number_does_not_fit_its_column_is_invalid_input_on_after(
    sql_type: str, value: int
) -> None:
    ordering = Ordering("things:N", (Column("t.n", sql_type),))
    with pytest.raises(InvalidInput) as refused:
        ordering.after(encode_cursor("things:N", [value]))
    assert refused.value.field == "after"
