"""ID numbers for tests that apply for housing: a person has one open application at a
time, so each test's applicant is a person of their own."""

from __future__ import annotations

import random
from datetime import date, timedelta

from cso.domain.id_number import make_id_number

_FIRST_BIRTHDAY = date(1960, 1, 1)
_BIRTHDAYS = 40 * 365


def an_id_number(region: str = "440106") -> str:
    """A valid GB 11643 ID number of a new person (a random birth date from 1960 on and
    sequence number: about 14.6 million people, so tests do not meet the same one)."""
    born = _FIRST_BIRTHDAY + timedelta(days=random.randrange(_BIRTHDAYS))
    return make_id_number(f"{region}{born:%Y%m%d}{random.randrange(1000):03d}")
