"""Error messages never repeat a whole bad value (issue 12, fault 11)."""

from __future__ import annotations

from graphql import GraphQLError

from cso.graphql.errors import MESSAGE_CHARS, QUOTED_CHARS, assign_code, capped_message


def test_a_long_quoted_value_is_cut_with_an_ellipsis() -> None:
    message = capped_message("id must be a UUID, not '" + "x" * 900_000 + "'")
    assert message == "id must be a UUID, not '" + "x" * QUOTED_CHARS + "…"


def test_a_long_double_quoted_value_keeps_its_closing_quote_and_the_rest() -> None:
    message = capped_message('Variable "$id" got invalid value "' + "y" * 500 + '"; it is bad')
    assert message == 'Variable "$id" got invalid value "' + "y" * QUOTED_CHARS + '…"; it is bad'


def test_short_values_and_plain_messages_are_left_alone() -> None:
    text = "The name is longer than 200 characters; 'abc' is fine"
    assert capped_message(text) == text


def test_a_message_is_never_longer_than_the_cap() -> None:
    assert len(capped_message("z" * 100_000)) == MESSAGE_CHARS


def test_a_lone_surrogate_in_a_message_cannot_break_the_answer() -> None:
    capped_message("bad \ud800").encode("utf-8")


def test_every_graphql_error_is_capped_when_its_code_is_assigned() -> None:
    error = GraphQLError("Int cannot represent non-integer value: '" + "9" * 10_000 + "'")
    assign_code(error, "c")
    assert len(error.message) < 200
    assert error.extensions == {"code": "INVALID_INPUT"}
