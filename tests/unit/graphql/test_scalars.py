from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest

from cso.graphql.scalars import (
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_id,
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
