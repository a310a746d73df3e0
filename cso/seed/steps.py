"""A seed is a list of dated steps; each step's action runs one use case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol
from uuid import UUID

from cso.services.application import Application, Command
from cso.services.identity import Principal


@dataclass
class Context:
    """The application the actions run through, and the ids the steps have created so far."""

    app: Application
    officers: dict[int, Principal] = field(default_factory=dict)
    chains: dict[str, UUID] = field(default_factory=dict)
    enterprises: dict[int, UUID] = field(default_factory=dict)
    projects: dict[int, UUID] = field(default_factory=dict)
    requests: dict[tuple[int, int], UUID] = field(default_factory=dict)
    postings: dict[int, UUID] = field(default_factory=dict)
    units: list[UUID] = field(default_factory=list)  # housing units, in listing order
    applications: dict[int, UUID] = field(default_factory=dict)  # housing, by applicant
    problems: dict[int, UUID] = field(default_factory=dict)  # a posting's, by seed number
    district_units: dict[int, UUID] = field(default_factory=dict)  # the district's, by index

    def officer_id(self, officer: int) -> UUID:
        return UUID(self.officers[officer].id)


class Action(Protocol):
    async def apply(self, ctx: Context, cmd: Command) -> None: ...


@dataclass(frozen=True, slots=True)
class Step:
    """`action` on day `on`, by the officer with index `officer` (None: the supervisor)."""

    on: date
    action: Action
    officer: int | None = None
    reason: str | None = None
