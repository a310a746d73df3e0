"""Running a use case: load, call the aggregate, append — retried on a concurrent write."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from cso.eventstore import (
    ConcurrencyConflict,
    EventStore,
    Metadata,
    Repository,
    Reservation,
    ReservationTaken,
    StreamNotFound,
)
from cso.services.errors import Conflict, NotFound, RuleViolated
from cso.services.identity import Principal

log = logging.getLogger(__name__)

A = TypeVar("A", bound=Aggregate)

MAX_ATTEMPTS = 10
BACKOFF_SECONDS = 0.004


@dataclass(frozen=True, slots=True)
class Command:
    """What every mutation carries besides its own fields."""

    principal: Principal
    correlation_id: str
    reason: str | None = None
    idempotency_key: str | None = None
    expected_version: int | None = None

    def metadata(self) -> Metadata:
        return Metadata(
            actor=self.principal.actor,
            correlation_id=self.correlation_id,
            causation_id=None,
            reason=self.reason,
            idempotency_key=self.scoped_key,
        )

    @property
    def scoped_key(self) -> str | None:
        """Keys are the client's; scoping them by actor keeps two clients' keys apart."""
        if self.idempotency_key is None:
            return None
        return f"{self.principal.id}:{self.idempotency_key}"


@dataclass(frozen=True, slots=True)
class Changed:
    """What a use case changed: named ids (e.g. "project", "request") and the token to wait on."""

    ids: dict[str, UUID]
    token: str
    replayed: bool = False

    def __getitem__(self, name: str) -> UUID:
        return self.ids[name]


@dataclass
class UnitOfWork:
    repository: Repository
    command: Command
    today: date
    loaded: list[Aggregate] = field(default_factory=list)
    created: list[Aggregate] = field(default_factory=list)
    reservations: list[Reservation] = field(default_factory=list)

    async def get(self, aggregate_id: UUID, kind: type[A], *, target: bool = False) -> A:
        """Load an aggregate; `target` marks the one `expectedVersion` refers to."""
        aggregate = next((a for a in self.loaded if a.id == aggregate_id), None)
        if aggregate is None:
            try:
                aggregate = await self.repository.get(aggregate_id, kind)
            except StreamNotFound:
                raise NotFound(f"no {_label(kind)} with id {aggregate_id}") from None
            self.loaded.append(aggregate)
        if not isinstance(aggregate, kind):
            raise NotFound(f"no {_label(kind)} with id {aggregate_id}")
        expected = self.command.expected_version
        if target and expected is not None and aggregate.version != expected:
            raise Conflict(
                f"{_label(kind)} {aggregate_id} is at version {aggregate.version}, not {expected}",
                current_version=aggregate.version,
            )
        return aggregate

    def add(self, aggregate: A) -> A:
        self.created.append(aggregate)
        return aggregate

    def reserve(self, scope: str, value: str, owner: Aggregate) -> None:
        self.reservations.append(Reservation(scope, value, owner.id))

    async def commit(self, ids: dict[str, UUID]) -> Changed:
        changed = [a for a in (*self.created, *self.loaded) if a.pending_events]
        unchanged = [a for a in self.loaded if not a.pending_events]
        result = await self.repository.save(
            *changed,
            metadata=self.command.metadata(),
            reservations=self.reservations,
            outcome={name: str(value) for name, value in ids.items()},
        )
        self.repository.release(*unchanged)
        return Changed(_ids(result.outcome) or ids, result.token, result.replayed)


Attempt = Callable[[UnitOfWork], Awaitable[dict[str, UUID]]]


class Application:
    """The use cases' shared machinery; one per process, built by the composition root."""

    def __init__(
        self, repository: Repository, store: EventStore, today: Callable[[], date]
    ) -> None:
        self.repository = repository
        self.store = store
        self.today = today

    async def execute(self, command: Command, attempt: Attempt) -> Changed:
        """Run `attempt` and append what it changed; re-run it on fresh state after a
        concurrent write, unless the caller pinned `expectedVersion`."""
        key = command.scoped_key
        if key is not None and (earlier := await self.store.idempotent_result(key)) is not None:
            return Changed(_ids(earlier.outcome), earlier.token, replayed=True)
        for attempt_number in range(1, MAX_ATTEMPTS + 1):
            unit = UnitOfWork(self.repository, command, self.today())
            try:
                return await unit.commit(await attempt(unit))
            except ConcurrencyConflict as conflict:
                if command.expected_version is not None or attempt_number == MAX_ATTEMPTS:
                    raise Conflict(
                        str(conflict), current_version=conflict.current_version
                    ) from None
                log.info("conflict on %s; retrying (%d)", conflict.stream_id, attempt_number)
                # Jitter spreads the writers that just collided, so the next round has a winner
                # and fewer losers.
                await asyncio.sleep(random.uniform(0, BACKOFF_SECONDS * attempt_number))
            except ReservationTaken as taken:
                raise RuleViolated(
                    f"{_scope_label(taken.scope)} {taken.value} is already taken"
                ) from None
        raise AssertionError("unreachable")  # the loop returns or raises


def _ids(outcome: dict[str, str]) -> dict[str, UUID]:
    return {name: UUID(value) for name, value in outcome.items()}


def _label(kind: type) -> str:
    return "".join(f" {c.lower()}" if c.isupper() else c for c in kind.__name__).strip()


def _scope_label(scope: str) -> str:
    return scope.replace("_", " ")
