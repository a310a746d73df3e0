"""Running a use case: lock, load, call the aggregate, append; re-run after another process."""

from __future__ import annotations

import asyncio
import copy
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from cso.domain.errors import RuleViolation
from cso.domain.values import TEXT_MAX_LENGTH, storable_text
from cso.eventstore import (
    AppendResult,
    Checkpoint,
    ConcurrencyConflict,
    EventStore,
    Metadata,
    Repository,
    Reservation,
    ReservationTaken,
    StreamNotFound,
)
from cso.services.errors import Conflict, InvalidInput, NotFound, RuleViolated
from cso.services.identity import Principal
from cso.services.locks import CommandLocks, LockOrderBroken, StreamLocks

log = logging.getLogger(__name__)

A = TypeVar("A", bound=Aggregate)

# Re-runs after another process's write are bounded by time, not by a count: under heavy
# contention a legitimate command keeps its turn coming (one writer per stream per process).
RETRY_SECONDS = 20.0
BACKOFF_SECONDS = 0.002
MAX_BACKOFF_SECONDS = 0.1
START = Checkpoint()
IDEMPOTENCY_KEY_MAX_LENGTH = 200
# The outcome kept with an idempotency key names ids; this entry names the operation instead.
OPERATION = "@operation"

# Of the events at the given (stream, version) pairs, the latest in commit order.
LATEST_LOADED_EVENT = """
SELECT e.transaction_id, e.position
FROM unnest($1::uuid[], $2::integer[]) AS loaded (stream_id, version)
JOIN events e USING (stream_id, version)
ORDER BY e.transaction_id DESC, e.position DESC
LIMIT 1
"""


@dataclass(frozen=True, slots=True)
class Command:
    """What every mutation carries besides its own fields.

    `operation` fingerprints the request (the mutation and its input, say): an idempotency
    key replays its first result only for the same operation.
    """

    principal: Principal
    correlation_id: str
    reason: str | None = None
    idempotency_key: str | None = None
    expected_version: int | None = None
    operation: str | None = None

    def __post_init__(self) -> None:
        if self.reason is not None:
            storable_text("reason", self.reason, TEXT_MAX_LENGTH)
        if self.idempotency_key is not None:
            storable_text("idempotencyKey", self.idempotency_key, IDEMPOTENCY_KEY_MAX_LENGTH)

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
    """One attempt of a command: what it loaded (each stream locked first) and created."""

    repository: Repository
    command: Command
    today: date
    locks: CommandLocks
    loaded: list[Aggregate] = field(default_factory=list)
    created: list[Aggregate] = field(default_factory=list)
    reservations: list[Reservation] = field(default_factory=list)
    stale: Conflict | None = None  # the target is not at the pinned `expectedVersion`

    async def get(self, aggregate_id: UUID, kind: type[A], *, target: bool = False) -> A:
        """Lock the stream, then load the aggregate; `target` marks the one
        `expectedVersion` refers to. A target at another version is noted in `stale` and
        answered as Conflict once the command is authorised (see `Application.execute`):
        a caller who may not act learns FORBIDDEN, not the object's version.

        Raises NotFound, or LockOrderBroken (handled by `Application.execute`).
        """
        aggregate = next((a for a in self.loaded if a.id == aggregate_id), None)
        if aggregate is None:
            await self.locks.lock(aggregate_id)
            try:
                aggregate = await self.repository.get(aggregate_id, kind)
            except StreamNotFound:
                raise NotFound(f"no {_label(kind)} with id {aggregate_id}") from None
            self.loaded.append(aggregate)
        if not isinstance(aggregate, kind):
            raise NotFound(f"no {_label(kind)} with id {aggregate_id}")
        expected = self.command.expected_version
        if target and expected is not None and aggregate.version != expected:
            self.stale = self.stale or Conflict(
                f"{_label(kind)} {aggregate_id} is at version {aggregate.version}, not {expected}",
                current_version=aggregate.version,
            )
        return aggregate

    async def finish(self, attempt: Attempt) -> Changed:
        """Run the attempt and commit it, unless the target was stale: then Conflict, also
        in place of a rule the attempt found broken on state the caller had not seen."""
        try:
            ids = await attempt(self)
        except RuleViolation:
            if self.stale is not None:
                raise self.stale from None
            raise
        if self.stale is not None:
            raise self.stale
        return await self.commit(ids)

    def add(self, aggregate: A) -> A:
        self.created.append(aggregate)
        return aggregate

    def reserve(self, scope: str, value: str, owner: Aggregate) -> None:
        self.reservations.append(Reservation(scope, value, owner.id))

    async def commit(self, ids: dict[str, UUID]) -> Changed:
        changed = [a for a in (*self.created, *self.loaded) if a.pending_events]
        outcome = {name: str(value) for name, value in ids.items()}
        if self.command.operation is not None:
            outcome[OPERATION] = self.command.operation
        if not changed and not self.reservations:
            # The command asked for what already is: nothing to append, and the token
            # covers what was read, so a query sending it back sees that state. Its key is
            # kept all the same: later, the same key for another request is refused, and a
            # retry answers as this did.
            covering = AppendResult(await self._covering(self.loaded), outcome=outcome)
            key = self.command.scoped_key
            if key is None:
                return Changed(ids, covering.token)
            kept = await self.repository.store.keep_idempotent_result(key, covering)
            return replay(self.command, kept) if kept is not covering else Changed(ids, kept.token)
        result = await self.repository.save(
            *changed,
            metadata=self.command.metadata(),
            reservations=self.reservations,
            outcome=outcome,
        )
        if result.replayed:  # a concurrent request with the same key got there first
            return replay(self.command, result)
        return Changed(ids, result.token)

    async def _covering(self, aggregates: list[Aggregate]) -> Checkpoint:
        """The checkpoint of the latest of the events the aggregates were loaded at."""
        row = await self.repository.store.pool.fetchrow(
            LATEST_LOADED_EVENT, [a.id for a in aggregates], [a.version for a in aggregates]
        )
        return START if row is None else Checkpoint(row["transaction_id"], row["position"])


Attempt = Callable[[UnitOfWork], Awaitable[dict[str, UUID]]]


class Application:
    """The use cases' shared machinery; one per process, built by the composition root."""

    def __init__(
        self,
        repository: Repository,
        store: EventStore,
        today: Callable[[], date],
        *,
        retry_seconds: float = RETRY_SECONDS,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """`clock`, when given, stamps the events this application appends (the seed's
        simulated clock; see EventStore); without it they carry the database's time."""
        if clock is not None:
            store = store.with_clock(clock)
            repository = copy.copy(repository)  # the same cache, appending through `store`
            repository.store = store
        self.repository = repository
        self.store = store
        self.today = today
        self.retry_seconds = retry_seconds
        self.locks = StreamLocks()
        self.reruns = 0  # attempts re-run after another process's write, since start

    async def execute(self, command: Command, attempt: Attempt) -> Changed:
        """Run `attempt` and append what it changed, holding each stream it loads.

        Commands of this process on a stream queue behind each other, so they never
        conflict. After another process's write the attempt re-runs on fresh state (the
        cached aggregates fast-forwarded), for up to `retry_seconds`, with jittered backoff;
        a pinned `expectedVersion` answers Conflict instead.
        """
        key = command.scoped_key
        if key is not None and (earlier := await self.store.idempotent_result(key)) is not None:
            return replay(command, earlier)
        locks = CommandLocks(self.locks)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.retry_seconds
        reruns = 0
        try:
            while True:
                unit = UnitOfWork(self.repository, command, self.today(), locks)
                try:
                    return await unit.finish(attempt)
                except LockOrderBroken as broken:
                    await locks.lock_in_order(broken.streams)
                except ConcurrencyConflict as conflict:
                    if command.expected_version is not None or loop.time() >= deadline:
                        raise Conflict(
                            str(conflict), current_version=conflict.current_version
                        ) from None
                    reruns += 1
                    self.reruns += 1
                    log.info("conflict on %s; re-running (%d)", conflict.stream_id, reruns)
                    await asyncio.sleep(_backoff(reruns))
                except ReservationTaken as taken:
                    raise RuleViolated(
                        f"{_scope_label(taken.scope)} {taken.value} is already taken"
                    ) from None
        finally:
            locks.release_all()


def _backoff(reruns: int) -> float:
    """Seconds to wait before re-run number `reruns`: full jitter, growing to a cap, so
    the writers that just collided spread out and the next round has a winner."""
    return random.uniform(0, min(MAX_BACKOFF_SECONDS, BACKOFF_SECONDS * 2 ** min(reruns, 10)))


def replay(command: Command, earlier: AppendResult) -> Changed:
    """The first result for the command's idempotency key, if it was for the same request."""
    if earlier.outcome.get(OPERATION) != command.operation:
        raise InvalidInput("this key was used for a different request", field="idempotencyKey")
    ids = {name: UUID(value) for name, value in earlier.outcome.items() if name != OPERATION}
    return Changed(ids, earlier.token, replayed=True)


def _label(kind: type) -> str:
    return "".join(f" {c.lower()}" if c.isupper() else c for c in kind.__name__).strip()


def _scope_label(scope: str) -> str:
    return scope.replace("_", " ")
