"""Errors a use case answers with; each names the API's error code."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    code = "INTERNAL"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.extensions = extensions


class Unauthenticated(ServiceError):
    code = "UNAUTHENTICATED"


class Forbidden(ServiceError):
    code = "FORBIDDEN"


class NotFound(ServiceError):
    code = "NOT_FOUND"


class InvalidInput(ServiceError):
    code = "INVALID_INPUT"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, **({"field": field} if field else {}))
        self.field = field


class RuleViolated(ServiceError):
    code = "RULE_VIOLATED"


class Conflict(ServiceError):
    code = "CONFLICT"

    def __init__(self, message: str, current_version: int) -> None:
        super().__init__(message, currentVersion=current_version)
        self.current_version = current_version
