"""Value checks shared by the aggregates: credit code, money, text, dates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import TypeVar

from cso.domain.errors import InvalidValue

E = TypeVar("E", bound=Enum)

# GB 32100-2015: digits and upper-case letters without I, O, Z, S, V.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_LENGTH = 18

NAME_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 4000
LIST_MAX_ITEMS = 50

# 万元 below 10^10 (at most a trillion yuan): more than any district project, and within
# what every read model and report stores.
INVESTMENT_LIMIT = Decimal(10) ** 10

_CENT = Decimal("0.01")
# An error quotes at most this much of a value it refuses.
QUOTED_CHARS = 80


def quoted(value: object) -> str:
    """`repr(value)` for an error message, cut to QUOTED_CHARS with an ellipsis."""
    text = repr(value)
    return text if len(text) <= QUOTED_CHARS else text[: QUOTED_CHARS - 1] + "…"


def credit_code_check_char(prefix17: str) -> str:
    """The check character for the first 17 characters (already upper case)."""
    total = sum(
        CREDIT_CODE_CHARSET.index(char) * weight
        for char, weight in zip(prefix17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    check = 31 - total % 31
    return CREDIT_CODE_CHARSET[0 if check == 31 else check]


def _check_charset(code: str) -> None:
    for position, char in enumerate(code, start=1):
        if char not in CREDIT_CODE_CHARSET:
            raise InvalidValue(
                "creditCode",
                f"A credit code may not contain {char!r} (position {position}); "
                "allowed are digits and letters other than I, O, Z, S and V.",
            )


def validate_credit_code(code: str) -> str:
    """Return the code in upper case, or raise if it is not a valid code."""
    normalised = code.strip().upper()
    if len(normalised) != CREDIT_CODE_LENGTH:
        raise InvalidValue(
            "creditCode",
            f"A credit code has {CREDIT_CODE_LENGTH} characters, not {len(normalised)}.",
        )
    _check_charset(normalised)
    expected = credit_code_check_char(normalised[:17])
    if normalised[17] != expected:
        raise InvalidValue(
            "creditCode",
            f"The credit code's check character is {normalised[17]!r}, "
            f"but its first 17 characters require {expected!r}.",
        )
    return normalised


def make_credit_code(prefix17: str) -> str:
    """Complete 17 characters into a valid credit code (for demo data)."""
    normalised = prefix17.strip().upper()
    if len(normalised) != CREDIT_CODE_LENGTH - 1:
        raise InvalidValue(
            "creditCode",
            f"A credit code prefix has 17 characters, not {len(normalised)}.",
        )
    _check_charset(normalised)
    return normalised + credit_code_check_char(normalised)


def validate_investment(amount: Decimal | int) -> Decimal:
    """An investment in 万元: non-negative, whole cents, kept with 2 places."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise InvalidValue("investment", "An investment must be a decimal amount.")
    value = Decimal(amount)
    if not value.is_finite():
        raise InvalidValue("investment", "An investment must be a finite amount.")
    if value < 0:
        raise InvalidValue("investment", "An investment cannot be negative.")
    if value >= INVESTMENT_LIMIT:
        raise InvalidValue(
            "investment", "An investment is at most 9,999,999,999.99 万元 (a trillion yuan)."
        )
    return in_cents(
        "investment",
        value,
        too_large="The investment is too large.",
        places="An investment has at most 2 decimal places (万元).",
    )


def in_cents(field: str, amount: Decimal, *, too_large: str, places: str) -> Decimal:
    """A finite, non-negative `amount` kept with exactly 2 decimal places; "-0" (which
    passes `amount < 0`) is zero, stored as "0.00" as every read model shows it. Raises
    InvalidValue(field, too_large) when it cannot be kept to the cent, and
    InvalidValue(field, places) when it has more than 2 decimal places."""
    try:
        quantised = amount.quantize(_CENT)
    except InvalidOperation:
        raise InvalidValue(field, too_large) from None
    if quantised != amount:
        raise InvalidValue(field, places)
    return quantised.copy_abs()


def storable_text(field: str, value: str, max_length: int) -> str:
    """Text kept as given: at most ``max_length`` characters, and storable — no NUL
    character (PostgreSQL refuses it) and no lone surrogate (it has no UTF-8 form)."""
    if not isinstance(value, str):
        raise InvalidValue(field, f"The {field} must be text.")
    if len(value) > max_length:
        raise InvalidValue(field, f"The {field} is longer than {max_length} characters.")
    if "\x00" in value:
        raise InvalidValue(field, f"The {field} may not contain a NUL character.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidValue(
            field, f"The {field} contains a lone surrogate, which is not a character."
        ) from None
    return value


def require_text(field: str, value: str, max_length: int = NAME_MAX_LENGTH) -> str:
    """Strip ``value``; it must be non-empty, not longer than ``max_length`` and storable."""
    if not isinstance(value, str):
        raise InvalidValue(field, f"The {field} must be text.")
    stripped = value.strip()
    if not stripped:
        raise InvalidValue(field, f"The {field} cannot be empty.")
    return storable_text(field, stripped, max_length)


def optional_text(field: str, value: str | None, max_length: int = NAME_MAX_LENGTH) -> str | None:
    """Like :func:`require_text`, but blank or missing becomes None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return require_text(field, value, max_length)


def require_date(field: str, value: date) -> date:
    # A datetime is a date too, but it would not compare with recorded dates.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidValue(field, f"The {field} must be a calendar date.")
    return value


def require_enum(field: str, value: E | str, enum_type: type[E]) -> E:
    """Accept a member of ``enum_type`` or its exact name; state never holds a str."""
    if isinstance(value, enum_type):
        return value
    if isinstance(value, str) and value in enum_type.__members__:
        return enum_type[value]
    allowed = ", ".join(enum_type.__members__)
    raise InvalidValue(field, f"The {field} must be one of {allowed}.")


def unique_texts(
    field: str,
    values: list[str],
    max_length: int = NAME_MAX_LENGTH,
    max_items: int = LIST_MAX_ITEMS,
) -> list[str]:
    """Strip each entry; the list must be non-empty, at most ``max_items`` long, without
    blanks or repeats."""
    if isinstance(values, str):
        raise InvalidValue(field, f"The {field} must be a list.")
    if not values:
        raise InvalidValue(field, f"The {field} list cannot be empty.")
    if len(values) > max_items:
        raise InvalidValue(field, f"The {field} list has at most {max_items} entries.")
    result: list[str] = []
    seen: set[str] = set()
    for value in values:
        text = require_text(field, value, max_length)
        key = text.casefold()
        if key in seen:
            raise InvalidValue(field, f"The {field} list names {quoted(text)} twice.")
        seen.add(key)
        result.append(text)
    return result
