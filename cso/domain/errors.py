"""The two kinds of refusal the domain raises; ``code`` is what clients see."""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    code: ClassVar[str] = "RULE_VIOLATED"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RuleViolation(DomainError):
    """A domain rule refused the command; the message names the rule."""

    code: ClassVar[str] = "RULE_VIOLATED"


class InvalidValue(DomainError):
    """One input value is malformed; ``field`` is its camelCase input name."""

    code: ClassVar[str] = "INVALID_INPUT"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
