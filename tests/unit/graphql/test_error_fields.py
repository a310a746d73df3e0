"""Errors raised before any resolver runs, and the database's refusals, as API.md codes them."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from graphql import GraphQLError

from cso.graphql.errors import assign_code
from cso.graphql.schema import build_schema

SCHEMA = build_schema()
PROJECT_ID = "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11"

REGISTER = """
mutation($input: RegisterProjectInput!) { registerProject(input: $input) { consistencyToken } }"""


def project_input(**overrides: object) -> dict[str, object]:
    return {
        "enterpriseId": PROJECT_ID,
        "name": "示例项目",
        "investment": "12500.00",
        "signedOn": "2025-01-31",
        **overrides,
    }


async def first_error(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The first error's extensions; these errors come before any resolver (no context)."""
    result = await SCHEMA.execute(query, variable_values=variables)
    assert result.errors, result
    extensions: dict[str, Any] = result.errors[0].extensions or {}
    return extensions


@pytest.mark.parametrize(
    ("field", "value"),
    [("investment", "12,500"), ("signedOn", "2025-02-30"), ("enterpriseId", 1.5)],
)
async def test_a_bad_scalar_in_an_input_variable_names_its_input_field(
    field: str, value: object
) -> None:
    extensions = await first_error(REGISTER, {"input": project_input(**{field: value})})
    assert extensions == {"code": "INVALID_INPUT", "field": field}


async def test_a_bad_scalar_written_in_the_document_names_its_input_field() -> None:
    query = """mutation { registerProject(input: {
      enterpriseId: "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11"
      name: "n", investment: "12,500", signedOn: "2025-01-31"
    }) { consistencyToken } }"""
    assert await first_error(query) == {"code": "INVALID_INPUT", "field": "investment"}


@pytest.mark.parametrize("as_of", ["yesterday", "0001-01-01T00:00:00+05:00"])
async def test_a_bad_datetime_variable_names_the_argument_it_is_passed_to(as_of: str) -> None:
    query = """query($when: DateTime) {
      project(id: "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11", asOf: $when) { id }
    }"""
    extensions = await first_error(query, {"when": as_of})
    assert extensions == {"code": "INVALID_INPUT", "field": "asOf"}


async def test_a_bad_datetime_in_a_filter_names_its_input_field() -> None:
    query = 'query { auditLog(filter: {from: "0001-01-01T00:00:00+05:00"}) { totalCount } }'
    assert await first_error(query) == {"code": "INVALID_INPUT", "field": "from"}


async def test_an_id_that_is_no_string_names_its_argument() -> None:
    assert await first_error("query { project(id: 1.5) { id } }") == {
        "code": "INVALID_INPUT",
        "field": "id",
    }


async def test_a_field_the_input_lacks_is_named_in_the_document_or_else_its_input() -> None:
    literal = """mutation { registerProject(input: {
      enterpriseId: "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11"
      name: "n", investment: "1", signedOn: "2025-01-31", budget: "1"
    }) { consistencyToken } }"""
    variable = await first_error(REGISTER, {"input": project_input(budget="1")})
    assert await first_error(literal) == {"code": "INVALID_INPUT", "field": "budget"}
    assert variable == {"code": "INVALID_INPUT", "field": "input"}


@pytest.mark.parametrize(
    "refusal",
    [
        asyncpg.CharacterNotInRepertoireError("invalid byte sequence for encoding UTF8: 0x00"),
        asyncpg.UntranslatableCharacterError("unsupported Unicode escape sequence"),
        asyncpg.NumericValueOutOfRangeError("value overflows numeric format"),
        asyncpg.InvalidTextRepresentationError("invalid input syntax for type uuid"),
        asyncpg.DataError("invalid input for query argument $5: 'a\\x00b' (...)"),
    ],
)
def test_a_value_the_database_refused_is_invalid_input_without_its_sql(
    refusal: asyncpg.DataError,
) -> None:
    error = GraphQLError("invalid input for query argument $5", original_error=refusal)
    assign_code(error, "corr-1")
    assert error.extensions == {"code": "INVALID_INPUT"}
    assert "$" not in error.message and "query argument" not in error.message
