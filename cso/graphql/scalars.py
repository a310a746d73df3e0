"""The API's scalars (API.md): Date, DateTime with offset, Decimal as a string, JSON; UUID ids.

Python's own ``date``, ``datetime`` and ``Decimal`` annotate the types; ``SCALAR_OVERRIDES``
maps them to these definitions so that malformed input says INVALID_INPUT, never INTERNAL.
``BigInt`` carries the log's 64-bit positions and counts, which GraphQL's 32-bit ``Int``
cannot. Text arguments that reach SQL go through ``parse_text`` first.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NewType
from uuid import UUID

import strawberry
from strawberry.scalars import JSON
from strawberry.types.scalar import ScalarDefinition

from cso.services.errors import InvalidInput

__all__ = [
    "JSON",
    "SCALAR_OVERRIDES",
    "BigInt",
    "parse_id",
    "parse_optional_id",
    "parse_optional_text",
    "parse_text",
    "to_id",
]

# The instants a DateTime may name: PostgreSQL and Python both hold them, in UTC as given.
EARLIEST_INSTANT = datetime(1900, 1, 1, tzinfo=UTC)


def serialize_date(value: date) -> str:
    return value.isoformat()


def parse_date(value: object) -> date:
    if not isinstance(value, str) or len(value) != 10:
        raise InvalidInput(f"a Date is written YYYY-MM-DD, not {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"a Date is written YYYY-MM-DD, not {value!r}") from None


def serialize_datetime(value: datetime) -> str:
    """ISO 8601 with an offset; a naive value (never stored) is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def parse_datetime(value: object) -> datetime:
    """ISO 8601 with an offset, from 1900 to the end of 9999 (UTC): a moment whose UTC form
    leaves Python's calendar could not even be sent to the database."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            try:
                in_utc = parsed.astimezone(UTC)
            except OverflowError:  # e.g. 0001-01-01T00:00:00+05:00
                in_utc = None
            if in_utc is None or in_utc < EARLIEST_INSTANT:
                raise InvalidInput(f"a DateTime lies between 1900 and 9999 (UTC), not {value!r}")
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


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def serialize_big_int(value: int) -> int:
    return int(value)


def parse_big_int(value: object) -> int:
    """A JSON integer (or a string of digits) within 64 bits."""
    parsed: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = int(value)
        except ValueError:
            parsed = None
    if parsed is None or not INT64_MIN <= parsed <= INT64_MAX:
        raise InvalidInput(f"a BigInt is a whole number within 64 bits, not {value!r}")
    return parsed


# The Python type of BigInt fields; SCALAR_OVERRIDES gives it its definition.
BigInt = NewType("BigInt", int)

BigIntScalar: ScalarDefinition = strawberry.scalar(
    name="BigInt",
    description=(
        "A whole number within 64 bits, where GraphQL's Int (32 bits) is too small: written "
        "as a JSON number, like Int (JavaScript reads it exactly up to 2^53)."
    ),
    serialize=serialize_big_int,
    parse_value=parse_big_int,
)

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
    BigInt: BigIntScalar,
}


def parse_id(value: str, field: str) -> UUID:
    """An ID argument or input field as a UUID; anything else is INVALID_INPUT on `field`."""
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidInput(f"{field} must be a UUID, not {value!r}", field=field) from None


def parse_optional_id(value: str | None, field: str) -> UUID | None:
    return None if value is None else parse_id(value, field)


def parse_text(value: str, field: str) -> str:
    """A text argument as PostgreSQL can take it: no NUL character (text cannot hold one) and
    no lone surrogate (it has no UTF-8 form); else INVALID_INPUT on `field`, before any SQL."""
    if "\x00" in value:
        raise InvalidInput(f"{field} cannot hold a NUL character", field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{field} is not valid Unicode text", field=field) from None
    return value


def parse_optional_text(value: str | None, field: str) -> str | None:
    return None if value is None else parse_text(value, field)


def to_id(value: UUID) -> strawberry.ID:
    return strawberry.ID(str(value))
