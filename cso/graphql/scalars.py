"""The API's scalars (API.md): Date, DateTime with offset, Decimal as a string, JSON; UUID ids.

Python's own ``date``, ``datetime`` and ``Decimal`` annotate the types; ``SCALAR_OVERRIDES``
maps them to these definitions so that malformed input says INVALID_INPUT, never INTERNAL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

import strawberry
from strawberry.scalars import JSON
from strawberry.types.scalar import ScalarDefinition

from cso.services.errors import InvalidInput

__all__ = ["JSON", "SCALAR_OVERRIDES", "parse_id", "parse_optional_id", "to_id"]


def serialize_date(value: date) -> str:
    return value.isoformat()


def parse_date(value: object) -> date:
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(f"a Date is written YYYY-MM-DD, not {value!r}")


def serialize_datetime(value: datetime) -> str:
    """ISO 8601 with an offset; a naive value (never stored) is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def parse_datetime(value: object) -> datetime:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed
    raise InvalidInput(
        f"a DateTime is ISO 8601 with an offset (2025-01-31T09:30:00+08:00), not {value!r}"
    )


def serialize_decimal(value: Decimal) -> str:
    return str(value)


def parse_decimal(value: object) -> Decimal:
    """A string such as "12500.00"; a JSON integer is accepted, a float is not (it rounds)."""
    if isinstance(value, str | int) and not isinstance(value, bool):
        try:
            parsed = Decimal(value)
        except InvalidOperation:
            parsed = None
        if parsed is not None and parsed.is_finite():
            return parsed
    raise InvalidInput(f'a Decimal is a string such as "12500.00", not {value!r}')


DateScalar: ScalarDefinition = strawberry.scalar(
    name="Date",
    description="A calendar date, YYYY-MM-DD.",
    serialize=serialize_date,
    parse_value=parse_date,
)
DateTimeScalar: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="An instant, ISO 8601 with an offset.",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)
DecimalScalar: ScalarDefinition = strawberry.scalar(
    name="Decimal",
    description='An exact decimal amount as a string, e.g. "12500.00".',
    serialize=serialize_decimal,
    parse_value=parse_decimal,
)

SCALAR_OVERRIDES: dict[object, Any] = {
    date: DateScalar,
    datetime: DateTimeScalar,
    Decimal: DecimalScalar,
}


def parse_id(value: str, field: str) -> UUID:
    """An ID argument or input field as a UUID; anything else is INVALID_INPUT on `field`."""
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidInput(f"{field} must be a UUID, not {value!r}", field=field) from None


def parse_optional_id(value: str | None, field: str) -> UUID | None:
    return None if value is None else parse_id(value, field)


def to_id(value: UUID) -> strawberry.ID:
    return strawberry.ID(str(value))
