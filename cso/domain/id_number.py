"""Resident ID numbers (公民身份号码, GB 11643-1999): 18 characters, a birth date, a check
character."""

from __future__ import annotations

from datetime import date

from cso.domain.errors import InvalidValue

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_EARLIEST_BIRTH = date(1900, 1, 1)


def id_number_check_char(first17: str) -> str:
    """The check character (ISO 7064 MOD 11-2) of the first 17 digits."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str, today: date, field: str = "idNumber") -> str:
    """Return the ID number upper-cased; raise InvalidValue unless it has 17 digits and
    the right check character, and a birth date between 1900 and `today`."""
    if not isinstance(value, str):
        raise InvalidValue(field, "An ID number must be text.")
    text = value.strip().upper()
    if len(text) != 18 or not text[:17].isascii() or not text[:17].isdigit():
        raise InvalidValue(field, "An ID number has 17 digits and a check character.")
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise InvalidValue(field, "The ID number's birth date is not a date.") from None
    if not _EARLIEST_BIRTH <= born <= today:
        raise InvalidValue(field, f"The ID number's birth date {born} cannot be right.")
    if text[17] != id_number_check_char(text[:17]):
        raise InvalidValue(field, "The ID number's check character is wrong (GB 11643).")
    return text


def make_id_number(first17: str) -> str:
    """An ID number with its check character (for seeds and tests)."""
    return first17 + id_number_check_char(first17)
