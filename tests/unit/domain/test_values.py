from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from cso.domain.enums import OfficerRole
from cso.domain.errors import DomainError, InvalidValue, RuleViolation
from cso.domain.values import (
    credit_code_check_char,
    make_credit_code,
    optional_text,
    quoted,
    require_date,
    require_enum,
    require_text,
    storable_text,
    unique_texts,
    validate_credit_code,
    validate_investment,
)

# The example printed in GB 32100-2015.
STANDARD_EXAMPLE = "91350100M000100Y43"


def test_a_valid_credit_code_is_accepted() -> None:
    assert validate_credit_code(STANDARD_EXAMPLE) == STANDARD_EXAMPLE


def test_a_credit_code_is_normalised_to_upper_case_without_surrounding_spaces() -> None:
    assert validate_credit_code(" 91350100m000100y43 ") == STANDARD_EXAMPLE


def test_a_credit_code_with_a_wrong_check_character_is_refused() -> None:
    with pytest.raises(InvalidValue, match="check character") as refused:
        validate_credit_code("91350100M000100Y44")
    assert refused.value.field == "creditCode"
    assert refused.value.code == "INVALID_INPUT"


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y433", ""])
def test_a_credit_code_of_the_wrong_length_is_refused(code: str) -> None:
    with pytest.raises(InvalidValue, match="18 characters"):
        validate_credit_code(code)


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V", "-"])
def test_a_credit_code_with_a_character_outside_the_charset_is_refused(letter: str) -> None:
    with pytest.raises(InvalidValue, match="may not contain"):
        validate_credit_code(letter + STANDARD_EXAMPLE[1:])


def test_a_check_value_of_31_is_written_as_zero() -> None:
    # Every weighted digit is 0, so the sum is 0 and 31 - 0 = 31 maps to '0'.
    assert credit_code_check_char("0" * 17) == "0"
    assert validate_credit_code("0" * 18) == "0" * 18


@pytest.mark.parametrize(
    "prefix", ["91350100M000100Y4", "9144030071526726X", "12100000400012345", "y1110108551385082"]
)
def test_a_made_credit_code_passes_validation(prefix: str) -> None:
    code = make_credit_code(prefix)
    assert code[:17] == prefix.upper()
    assert validate_credit_code(code) == code


def test_making_a_credit_code_needs_exactly_17_characters() -> None:
    with pytest.raises(InvalidValue, match="17 characters"):
        make_credit_code("9135010")


def test_making_a_credit_code_refuses_forbidden_characters() -> None:
    with pytest.raises(InvalidValue, match="may not contain"):
        make_credit_code("O1350100M000100Y4")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (Decimal("12500"), Decimal("12500.00")),
        (Decimal("0.5"), Decimal("0.50")),
        (Decimal("1.230"), Decimal("1.23")),
        (300, Decimal("300.00")),
        (Decimal("0"), Decimal("0.00")),
    ],
)
def test_an_investment_is_kept_with_two_decimal_places(given: Decimal | int, kept: Decimal) -> None:
    result = validate_investment(given)
    assert result == kept
    assert str(result) == str(kept)


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("-0.01"),
        Decimal("1.234"),
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("1e40"),
        1.5,
        True,
        "12",
    ],
)
def test_an_investment_that_is_negative_too_precise_or_not_a_decimal_is_refused(
    amount: object,
) -> None:
    with pytest.raises(InvalidValue) as refused:
        validate_investment(amount)  # type: ignore[arg-type]
    assert refused.value.field == "investment"


def test_the_largest_investment_is_just_below_ten_billion_wan_yuan() -> None:
    assert validate_investment(Decimal("9999999999.99")) == Decimal("9999999999.99")


@pytest.mark.parametrize(
    "amount", [Decimal("10000000000"), Decimal("100000000000000000"), 10**10, Decimal("1e27")]
)
def test_an_investment_of_ten_billion_wan_yuan_or_more_is_refused(amount: Decimal | int) -> None:
    with pytest.raises(InvalidValue, match=r"at most 9,999,999,999\.99") as refused:
        validate_investment(amount)
    assert refused.value.field == "investment"


@pytest.mark.parametrize("text", ["A\x00B", "\x00", "A\ud800", "\udfff tail"])
def test_text_with_a_nul_or_a_lone_surrogate_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidValue) as required:
        require_text("name", text)
    assert required.value.field == "name"
    with pytest.raises(InvalidValue) as optional:
        optional_text("park", text)
    assert optional.value.field == "park"
    with pytest.raises(InvalidValue) as listed:
        unique_texts("items", ["fine", text])
    assert listed.value.field == "items"


def test_text_outside_the_basic_plane_is_kept() -> None:
    assert require_text("name", "𠮷野家 😀") == "𠮷野家 😀"


def test_storable_text_keeps_the_text_as_given_but_limits_it() -> None:
    assert storable_text("reason", "  as given ", 20) == "  as given "
    with pytest.raises(InvalidValue, match="longer than 3") as refused:
        storable_text("idempotencyKey", "abcd", 3)
    assert refused.value.field == "idempotencyKey"
    with pytest.raises(InvalidValue, match="NUL"):
        storable_text("reason", "a\x00", 20)


def test_a_list_of_names_has_at_most_fifty_entries() -> None:
    assert len(unique_texts("items", [f"item {n}" for n in range(50)])) == 50
    with pytest.raises(InvalidValue, match="at most 50 entries") as refused:
        unique_texts("departments", [f"department {n}" for n in range(51)])
    assert refused.value.field == "departments"


def test_text_is_stripped_and_must_not_be_blank_or_too_long() -> None:
    assert require_text("name", "  Li Wei ") == "Li Wei"
    with pytest.raises(InvalidValue, match="cannot be empty"):
        require_text("name", "   ")
    with pytest.raises(InvalidValue, match="longer than 5"):
        require_text("name", "abcdef", max_length=5)
    with pytest.raises(InvalidValue, match="must be text"):
        require_text("name", 42)  # type: ignore[arg-type]


def test_optional_text_turns_blank_into_none() -> None:
    assert optional_text("park", "  ") is None
    assert optional_text("park", None) is None
    assert optional_text("park", " Park A ") == "Park A"


def test_a_list_of_names_must_be_non_empty_and_without_repeats() -> None:
    assert unique_texts("items", [" a ", "b"]) == ["a", "b"]
    with pytest.raises(InvalidValue, match="cannot be empty"):
        unique_texts("items", [])
    with pytest.raises(InvalidValue, match="twice"):
        unique_texts("items", ["Site", "site "])
    with pytest.raises(InvalidValue, match="cannot be empty"):
        unique_texts("items", ["a", " "])
    with pytest.raises(InvalidValue, match="must be a list"):
        unique_texts("items", "ab")  # type: ignore[arg-type]


def test_an_enum_is_accepted_as_a_member_or_its_exact_name() -> None:
    assert require_enum("role", OfficerRole.CSO, OfficerRole) is OfficerRole.CSO
    assert require_enum("role", "CASO", OfficerRole) is OfficerRole.CASO
    with pytest.raises(InvalidValue, match="one of CSO, CASO, FIRST_SECRETARY"):
        require_enum("role", "cso", OfficerRole)


def test_a_date_must_be_a_calendar_date_not_a_datetime() -> None:
    assert require_date("on", date(2024, 1, 2)) == date(2024, 1, 2)
    with pytest.raises(InvalidValue, match="calendar date"):
        require_date("on", datetime(2024, 1, 2, 10, 0))


def test_domain_errors_carry_the_code_clients_see() -> None:
    assert RuleViolation("x").code == "RULE_VIOLATED"
    invalid = InvalidValue("phone", "Bad phone.")
    assert (invalid.code, invalid.field, str(invalid)) == ("INVALID_INPUT", "phone", "Bad phone.")
    assert isinstance(invalid, DomainError)


@pytest.mark.parametrize("zero", ["-0", "-0.00", "0", "-0.0"])
def test_a_zero_investment_is_kept_as_positive_zero(zero: str) -> None:
    kept = validate_investment(Decimal(zero))
    assert str(kept) == "0.00"
    assert not kept.is_signed()


def test_an_error_quotes_at_most_80_characters_of_a_value() -> None:
    assert quoted("abc") == "'abc'"
    long = quoted("x" * 900_000)
    assert len(long) == 80
    assert long.endswith("…")
