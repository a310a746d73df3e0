from __future__ import annotations

from datetime import date

import pytest

from cso.domain.errors import InvalidValue
from cso.domain.id_number import id_number_check_char, make_id_number, validate_id_number

TODAY = date(2026, 11, 20)


def test_the_check_character_of_the_standards_example_is_x() -> None:
    # GB 11643-1999's worked example: 11010519491231002X.
    assert id_number_check_char("11010519491231002") == "X"


def test_a_valid_id_number_is_kept_upper_cased() -> None:
    assert validate_id_number(" 11010519491231002x ", TODAY) == "11010519491231002X"


@pytest.mark.parametrize(
    "value",
    [
        "110105194912310021",  # wrong check character
        "1101051949123100",  # too short
        "11010519491331002X",  # month 13
        make_id_number("44010620300101123"),  # born in the future
        make_id_number("44010618890101123"),  # born before 1900
        "A1010519491231002X",
    ],
)
def test_a_malformed_id_number_is_invalid_input_on_the_id_number_field(value: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        validate_id_number(value, TODAY)
    assert refused.value.field == "idNumber"
