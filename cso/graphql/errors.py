"""Errors as API.md names them: every GraphQL error carries `extensions.code`."""

from __future__ import annotations

import logging
import re
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

# What an error may echo of a value it refuses (a 900 KB id must not make a 900 KB error):
# each quoted run at most QUOTED_CHARS, the whole message at most MESSAGE_CHARS.
QUOTED_CHARS = 80
MESSAGE_CHARS = 500
_LONG_QUOTED = re.compile(
    r"""(['"])((?:(?!\1).){""" + str(QUOTED_CHARS) + r"""})(?:(?!\1).)+(\1|$)""", re.DOTALL
)


def capped_message(message: str) -> str:
    """`message` with each long quoted value cut to QUOTED_CHARS and an ellipsis, and the
    whole cut to MESSAGE_CHARS; characters with no UTF-8 form become U+FFFD."""
    # Cut first: the pattern then never walks more than a bounded text.
    capped = _LONG_QUOTED.sub(lambda m: f"{m[1]}{m[2]}…{m[3]}", message[: 8 * MESSAGE_CHARS])
    if len(capped) > MESSAGE_CHARS:
        capped = capped[: MESSAGE_CHARS - 1] + "…"
    return capped.encode("utf-8", "replace").decode("utf-8")


# The database cannot be reached or is going away (restart, failover, connection cut,
# "the database system is starting up"): the request did nothing — a command's append is
# one transaction — and may be sent again, with its idempotency key if it was a mutation.
_UNAVAILABLE = (
    OSError,  # refused, reset, timed out: the connection attempt itself
    asyncpg.PostgresConnectionError,  # class 08: connection exceptions
    asyncpg.CannotConnectNowError,
    asyncpg.exceptions.OperatorInterventionError,  # class 57: admin or crash shutdown
    # A pooled connection the server cut while another coroutine's call on it was being
    # torn down: asyncpg refuses the next call before sending anything ("cannot switch to
    # state …; another operation is in progress"), and the pool replaces the connection.
    asyncpg.exceptions._base.InternalClientError,
)
# asyncpg's InterfaceError also means misuse ("another operation is in progress"), a bug of
# ours; only these say the connection or pool went away.
_GONE = ("connection is closed", "pool is closing", "connection was closed")


def unavailable(error: BaseException | None) -> bool:
    """Whether `error` (or what caused it) says the database could not be reached."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, _UNAVAILABLE):
            return True
        if isinstance(error, asyncpg.InterfaceError) and any(g in str(error) for g in _GONE):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def _coded(error: GraphQLError) -> tuple[str, dict[str, Any]] | None:
    """The code for an error we raised on purpose, or None for an unexpected one."""
    original = error.original_error
    if original is None:  # parsing and validation of the document itself
        return "INVALID_INPUT", {}
    if isinstance(original, ServiceError):
        return original.code, original.extensions
    if unavailable(original):
        log.warning("database unavailable (path %s): %s", error.path, original)
        # Not "nothing was done": a connection cut during COMMIT leaves the outcome unknown.
        error.message = (
            "The database is unavailable. Try again shortly: a mutation sent again with the "
            "same idempotencyKey is applied at most once."
        )
        return "UNAVAILABLE", {"retryable": True}
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
    error.message = capped_message(error.message)
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
