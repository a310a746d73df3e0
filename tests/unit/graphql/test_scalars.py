from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest

from cso.graphql.scalars import (
    parse_big_int,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_id,
    parse_optional_text,
    parse_text,
    serialize_big_int,
    serialize_date,
    serialize_datetime,
    serialize_decimal,
)
from cso.services.errors import InvalidInput

SHANGHAI = timezone(timedelta(hours=8))


def test_a_date_is_written_year_month_day() -> None:
    assert serialize_date(date(2025, 1, 31)) == "2025-01-31"
    assert parse_date("2025-01-31") == date(2025, 1, 31)


@pytest.mark.parametrize("value", ["2025-1-31", "20250131", "2025-02-30", "", 20250131, None])
def test_anything_but_a_calendar_date_is_invalid_input(value: object) -> None:
    with pytest.raises(InvalidInput):
        parse_date(value)


def test_a_datetime_is_written_with_its_offset() -> None:
    moment = datetime(2025, 1, 31, 9, 30, tzinfo=SHANGHAI)
    assert serialize_datetime(moment) == "2025-01-31T09:30:00+08:00"


def test_a_naive_datetime_is_written_as_utc() -> None:
    assert serialize_datetime(datetime(2025, 1, 31, 1, 30)) == "2025-01-31T01:30:00+00:00"


def test_a_datetime_with_an_offset_or_z_is_read() -> None:
    assert parse_datetime("2025-01-31T09:30:00+08:00") == datetime(2025, 1, 31, 1, 30, tzinfo=UTC)
    assert parse_datetime("2025-01-31T01:30:00Z") == datetime(2025, 1, 31, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize("value", ["2025-01-31T09:30:00", "yesterday", 1738287000])
def test_a_datetime_without_an_offset_is_invalid_input(value: object) -> None:
    with pytest.raises(InvalidInput):
        parse_datetime(value)


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+05:00",  # its UTC form is before year 1: Python cannot hold it
        "9999-12-31T23:00:00-05:00",  # its UTC form is in year 10000
        "1899-12-31T23:59:59Z",
        "0001-01-01T00:00:00Z",
    ],
)
def test_a_datetime_outside_1900_to_9999_utc_is_invalid_input(value: str) -> None:
    with pytest.raises(InvalidInput, match="between 1900 and 9999"):
        parse_datetime(value)


@pytest.mark.parametrize(
    "value", ["1900-01-01T00:00:00Z", "1899-12-31T19:00:00-05:00", "9999-12-31T23:59:59+00:00"]
)
def test_a_datetime_at_the_edges_of_1900_to_9999_utc_is_read(value: str) -> None:
    assert parse_datetime(value) == datetime.fromisoformat(value)


def test_a_decimal_is_written_as_a_string_with_its_places() -> None:
    assert serialize_decimal(Decimal("12500.00")) == "12500.00"


def test_a_decimal_is_read_from_a_string_or_an_integer() -> None:
    assert parse_decimal("12500.00") == Decimal("12500.00")
    assert parse_decimal(12500) == Decimal(12500)


@pytest.mark.parametrize("value", [12500.5, "12,500", "NaN", "Infinity", True, None])
def test_a_float_or_a_malformed_amount_is_invalid_input(value: object) -> None:
    with pytest.raises(InvalidInput):
        parse_decimal(value)


def test_an_id_is_a_uuid() -> None:
    value = "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11"
    assert parse_id(value, "projectId") == UUID(value)


def test_a_malformed_id_is_invalid_input_naming_its_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_id("project-1", "projectId")
    assert refused.value.field == "projectId"
    assert refused.value.extensions == {"field": "projectId"}


def test_a_big_int_is_written_as_a_json_number_beyond_32_bits() -> None:
    assert serialize_big_int(2**40) == 2**40


@pytest.mark.parametrize(("value", "parsed"), [(2**40, 2**40), ("-5", -5), (2**63 - 1, 2**63 - 1)])
def test_a_big_int_is_read_from_a_whole_number_within_64_bits(value: object, parsed: int) -> None:
    assert parse_big_int(value) == parsed


@pytest.mark.parametrize("value", [2**63, 1.5, "12a", True, None])
def test_anything_but_a_whole_number_within_64_bits_is_no_big_int(value: object) -> None:
    with pytest.raises(InvalidInput):
        parse_big_int(value)


def test_text_for_sql_is_taken_as_it_is() -> None:
    assert parse_text("黄埔区 %_", "district") == "黄埔区 %_"
    assert parse_optional_text(None, "district") is None


@pytest.mark.parametrize("value", ["黄埔\x00区", "\x00", "\ud800"])
def test_text_with_a_nul_or_a_lone_surrogate_is_invalid_input_naming_its_field(value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_optional_text(value, "district")
    assert refused.value.field == "district"
