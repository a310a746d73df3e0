"""Errors as API.md names them: every GraphQL error carries `extensions.code`."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
from graphql import GraphQLError

from cso.services.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolated,
    ServiceError,
    Unauthenticated,
)

log = logging.getLogger("cso.graphql")


ApiError = ServiceError


def _coded(error: GraphQLError) -> tuple[str, dict[str, Any]] | None:
    """The code for an error we raised on purpose, or None for an unexpected one."""
    original = error.original_error
    if original is None:  # parsing and validation of the document itself
        return "INVALID_INPUT", {}
    if isinstance(original, ServiceError):
        return original.code, original.extensions
    if isinstance(original, asyncpg.DataError):
        # A value the database could not take or compare (a NUL, a number out of range, a
        # character with no UTF-8 form, …), raised by PostgreSQL or while asyncpg encoded
        # an argument. The arguments are checked before SQL; this is the backstop, so it is
        # logged (it could also be a bug of ours), and its text, which names SQL parameters,
        # is not shown.
        log.warning("a query refused a value (path %s): %s", error.path, original)
        error.message = "A value in the request cannot be used here."
        return "INVALID_INPUT", {}
    code = getattr(original, "code", None)  # domain errors carry their own code
    if isinstance(code, str):
        field = getattr(original, "field", None)
        return code, {"field": field} if field else {}
    if isinstance(original, GraphQLError):  # e.g. a scalar that could not be parsed
        return "INVALID_INPUT", {}
    return None


def assign_code(error: GraphQLError, correlation_id: str | None) -> None:
    """Give the error its `extensions.code`; hide what we did not raise on purpose.

    Strawberry hands every error of every path (parsing, validation, execution,
    subscriptions) to `Schema.process_errors` before formatting, so codes are set there,
    in place.
    """
    coded = _coded(error)
    if coded is not None:
        code, extra = coded
        error.extensions = {**(error.extensions or {}), **extra, "code": code}
        return
    log.error("internal error (correlation id %s)", correlation_id, exc_info=error.original_error)
    error.message = "Internal error"
    error.original_error = None
    error.extensions = {"code": "INTERNAL", "correlationId": correlation_id}


__all__ = [
    "ApiError",
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "RuleViolated",
    "Unauthenticated",
    "assign_code",
]
