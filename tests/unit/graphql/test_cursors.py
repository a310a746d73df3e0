from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from cso.graphql.connections import connection
from cso.graphql.cursors import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Page,
    decode_cursor,
    encode_cursor,
    page_size,
)
from cso.graphql.keyset import Beside, Column, ListQuery, Ordering, PreparedList, orderings
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


BESIDE = Beside(
    columns="CASE WHEN {0}::boolean THEN o.name END AS owner",
    joins="LEFT JOIN owners o ON {1}::boolean AND o.id = page.owner_id",
    params=2,
)


def test_what_a_page_fetches_beside_its_rows_takes_the_parameters_after_the_limit() -> None:
    listed = PreparedList(QUERY, ORDERINGS, BESIDE)
    first = listed.statement("NAME:DESC", with_cursor=False)
    assert first.startswith("SELECT page.*, CASE WHEN $3::boolean THEN o.name END AS owner FROM (")
    assert "LIMIT $2) page LEFT JOIN owners o ON $4::boolean AND" in first
    later = listed.statement("NAME:DESC", with_cursor=True)
    assert "LIMIT $4) page" in later and "$5::boolean" in later and "$6::boolean" in later


def test_the_page_is_ordered_again_around_what_it_fetches_beside_it() -> None:
    listed = PreparedList(QUERY, ORDERINGS, BESIDE)
    statement = listed.statement("INVESTMENT:DESC", with_cursor=False)
    assert statement.endswith("ORDER BY page.k0 DESC, page.k1 DESC")


async def test_a_page_is_fetched_with_as_many_values_beside_it_as_its_list_takes() -> None:
    listed = PreparedList(QUERY, ORDERINGS, BESIDE)
    with pytest.raises(ValueError, match="2 parameters"):
        await listed.fetch(None, ["kind"], "NAME:ASC", 5, None, [True])  # type: ignore[arg-type]


def test_an_edges_cursor_is_encoded_when_read_and_is_the_one_its_row_gives() -> None:
    ordering = ORDERINGS["NAME:ASC"]
    rows = [{"k0": name, "k1": uuid4(), "name": name} for name in ("a", "b", "c")]

    async def count() -> int:
        return 3

    page = connection(Page(2, None), rows, ordering, lambda row: row["name"], count)
    assert "cursor" not in vars(page.edges[0])
    assert [edge.cursor for edge in page.edges] == [ordering.cursor(row) for row in rows[:2]]
    assert [edge.node for edge in page.edges] == ["a", "b"]
    assert page.page_info.start_cursor == page.edges[0].cursor
    assert page.page_info.end_cursor == page.edges[1].cursor
    assert page.page_info.has_next_page
