"""A database that cannot be reached says UNAVAILABLE (retryable), not INTERNAL (issue 12)."""

from __future__ import annotations

import asyncpg
import pytest
from graphql import GraphQLError

from cso.graphql.errors import assign_code


def _coded(original: Exception) -> GraphQLError:
    error = GraphQLError("boom", original_error=original)
    assign_code(error, "corr-1")
    return error


@pytest.mark.parametrize(
    "original",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator"),
        asyncpg.InterfaceError("cannot call Connection.fetch(): connection is closed"),
        asyncpg.exceptions._base.InternalClientError("cannot switch to state 12"),
    ],
    ids=["refused", "starting-up", "cut", "admin-shutdown", "closed", "torn-down"],
)
def test_a_database_that_went_away_is_unavailable_and_retryable(original: Exception) -> None:
    error = _coded(original)
    assert error.extensions == {"retryable": True, "code": "UNAVAILABLE"}
    assert "same idempotencyKey" in error.message  # what a client can do when it cannot know


def test_an_outage_found_behind_another_error_is_unavailable_too() -> None:
    try:
        try:
            raise ConnectionResetError(104, "reset by peer")
        except ConnectionResetError as reset:
            raise RuntimeError("loading the aggregate failed") from reset
    except RuntimeError as wrapped:
        assert _coded(wrapped).extensions == {"retryable": True, "code": "UNAVAILABLE"}


def test_misusing_a_connection_is_still_an_internal_error() -> None:
    error = _coded(asyncpg.InterfaceError("another operation is in progress"))
    assert error.extensions == {"code": "INTERNAL", "correlationId": "corr-1"}
    assert error.message == "Internal error"
