from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from cso.seed.console import parse_scale, without_commit_waits
from cso.seed.district import DistrictScale


def test_the_demo_scale_is_no_district() -> None:
    assert parse_scale("demo") is None


def test_the_district_scale_is_the_whole_district() -> None:
    scale = parse_scale("district")
    assert scale == DistrictScale(1.0)
    assert scale is not None
    assert (scale.enterprises, scale.units, scale.applications, scale.requests) == (
        40_000,
        10_000,
        20_000,
        100_000,
    )


def test_a_fraction_scales_every_count_and_keeps_at_least_one() -> None:
    scale = parse_scale("0.001")
    assert scale is not None
    assert (scale.enterprises, scale.requests, scale.casos) == (40, 100, 1)


@pytest.mark.parametrize("text", ["0", "-0.5", "1.5", "nan", "big", ""])
def test_a_scale_that_is_neither_a_name_nor_a_fraction_up_to_one_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="--scale"):
        parse_scale(text)


def test_the_seed_url_turns_off_commit_waits_and_keeps_the_other_parameters() -> None:
    url = without_commit_waits("postgresql://u@h:5/db?host=/run/pg&synchronous_commit=on")
    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("u@h:5", "/db")
    assert parse_qs(parts.query) == {"host": ["/run/pg"], "synchronous_commit": ["off"]}
