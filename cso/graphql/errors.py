"""Errors as API.md names them: every GraphQL error carries `extensions.code`."""

from __future__ import annotations

import logging
from typing import Any

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
