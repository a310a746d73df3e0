"""CheckedDocuments: parse and validation done once per document text, limits kept."""

from __future__ import annotations

import pytest
from graphql import GraphQLError

from cso.graphql.schema import MAX_TOKENS, CheckedDocuments, build_schema

SCHEMA = build_schema()


def documents(max_entries: int = 8) -> CheckedDocuments:
    from graphql import specified_rules

    return CheckedDocuments(SCHEMA._schema, tuple(specified_rules), MAX_TOKENS, max_entries)


def test_a_document_is_parsed_and_validated_once_however_often_it_is_sent() -> None:
    checked = documents()
    text = "{ me { id } }"
    first = checked.parsed(text)
    assert checked.parsed(text) is first
    errors = checked.errors(text, first)
    assert errors == [] and checked.errors(text, first) is errors


def test_an_invalid_document_keeps_its_errors() -> None:
    checked = documents()
    text = "{ nope }"
    errors = checked.errors(text, checked.parsed(text))
    assert [e.message for e in errors] == ["Cannot query field 'nope' on type 'Query'."]


def test_a_document_over_the_token_limit_is_refused_every_time() -> None:
    checked = documents()
    text = "{ " + "me { id } " * (MAX_TOKENS // 4) + "}"
    for _ in range(2):
        with pytest.raises(GraphQLError, match="token"):
            checked.parsed(text)


def test_the_kept_validations_are_bounded() -> None:
    checked = documents(max_entries=2)
    texts = ["{ me { id } }", "{ me { name } }", "{ me { role } }"]
    for text in texts:
        checked.errors(text, checked.parsed(text))
    assert len(checked._errors) == 2 and texts[0] not in checked._errors
