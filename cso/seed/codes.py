"""Plausible, valid and unique unified social credit codes (GB 32100-2015) for the demo."""

from __future__ import annotations

import random
from collections.abc import Sequence

from cso.domain.values import CREDIT_CODE_CHARSET, make_credit_code
from cso.seed.data import DIVISION_CODES, GUANGZHOU_CITY_CODE, EnterpriseRow

# 9 = registered by market regulation, 1 = an enterprise.
AUTHORITY_AND_KIND = "91"
# Share of codes issued by the city's regulator rather than the district's.
CITY_ISSUED_SHARE = 0.4


def credit_codes(rng: random.Random, rows: Sequence[EnterpriseRow]) -> list[str]:
    """One code per enterprise: larger, older firms carry a legacy organisation code,
    younger SMEs one of the 'MA' codes issued since 2015."""
    codes: list[str] = []
    taken: set[str] = set()
    for row in rows:
        code = _credit_code(rng, row)
        while code in taken:
            code = _credit_code(rng, row)
        taken.add(code)
        codes.append(code)
    return codes


def _credit_code(rng: random.Random, row: EnterpriseRow) -> str:
    city = rng.random() < CITY_ISSUED_SHARE
    division = GUANGZHOU_CITY_CODE if city else DIVISION_CODES[row.district]
    return make_credit_code(AUTHORITY_AND_KIND + division + _organisation_code(rng, row.sme))


def _organisation_code(rng: random.Random, sme: bool) -> str:
    if sme:
        tail = "".join(rng.choice(CREDIT_CODE_CHARSET) for _ in range(6))
        return "MA" + rng.choice("59") + tail
    return "".join(rng.choice("0123456789") for _ in range(9))
