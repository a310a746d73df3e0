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
from cso.services.pipeline import Pipelines, Speculative, Superseded

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
    pipelines: Pipelines | None = None  # None: append alone, holding the locks until done
    solo: bool = False  # run on committed state and append alone (see pipeline.py)
    speculative: int | None = None  # ran on uncommitted state of this pipeline epoch

    async def get(self, aggregate_id: UUID, kind: type[A], *, target: bool = False) -> A:
        """Lock the stream, then load the aggregate; `target` marks the one
        `expectedVersion` refers to. A target at another version is noted in `stale` and
        answered as Conflict once the command is authorised (see `Application.execute`):
        a caller who may not act learns FORBIDDEN, not the object's version.

        Raises NotFound, or LockOrderBroken (handled by `Application.execute`).
        """
        aggregate = next((a for a in self.loaded if a.id == aggregate_id), None)
        if aggregate is None:
            self._single_stream()
            await self.locks.lock(aggregate_id)
            aggregate = self._in_flight(aggregate_id)
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
            self.stale = self.stale or Conflict(
                f"{_label(kind)} {aggregate_id} is at version {aggregate.version}, not {expected}",
                current_version=aggregate.version,
            )
        return aggregate

    def _in_flight(self, stream_id: UUID) -> Aggregate | None:
        """The stream's aggregate as the commands handed off leave it, when it has appends
        in flight and this is the command's only stream; raises Speculative when it has
        them and this command reads another stream too."""
        if self.pipelines is None or not self.pipelines.busy(stream_id):
            return None
        if self.loaded or self.created or self.solo:
            raise Speculative(stream_id)
        aggregate, self.speculative = self.pipelines.state(stream_id)
        return aggregate

    def _single_stream(self) -> None:
        """Raises Speculative if the command ran on uncommitted state and needs more."""
        if self.speculative is not None:
            raise Speculative(self.loaded[0].id)

    async def finish(self, attempt: Attempt) -> Changed:
        """Run the attempt and commit it, unless the target was stale: then Conflict, also
        in place of a rule the attempt found broken on state the caller had not seen.
        An error found on uncommitted state is raised once that state has committed."""
        try:
            ids = await attempt(self)
            if self.stale is not None:
                raise self.stale
        except (LockOrderBroken, Speculative):
            raise
        except Exception as exc:
            if self.speculative is not None and self.pipelines is not None:
                await self._settled(self.pipelines)
            if isinstance(exc, RuleViolation) and self.stale is not None:
                raise self.stale from None
            raise
        return await self.commit(ids)

    async def _settled(self, pipelines: Pipelines) -> None:
        """Let go of the stream and wait until the events this command saw have committed;
        raises Superseded if they never will."""
        answer = pipelines.hand_off(self.loaded[0], self.speculative, None)
        self.locks.release_all()
        await answer

    def add(self, aggregate: A) -> A:
        self._single_stream()
        self.created.append(aggregate)
        return aggregate

    def reserve(self, scope: str, value: str, owner: Aggregate) -> None:
        self._single_stream()
        self.reservations.append(Reservation(scope, value, owner.id))

    async def commit(self, ids: dict[str, UUID]) -> Changed:
        changed = [a for a in (*self.created, *self.loaded) if a.pending_events]
        outcome = {name: str(value) for name, value in ids.items()}
        if self.command.operation is not None:
            outcome[OPERATION] = self.command.operation
        if changed and self.pipelines is not None and self._one_stream():
            return await self._pipelined(self.pipelines, ids, outcome)
        if self.speculative is not None and self.pipelines is not None:
            await self._settled(self.pipelines)  # nothing to append, on uncommitted state
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

    def _one_stream(self) -> bool:
        return (
            not self.solo and not self.created and not self.reservations and len(self.loaded) == 1
        )

    async def _pipelined(
        self, pipelines: Pipelines, ids: dict[str, UUID], outcome: dict[str, str]
    ) -> Changed:
        """Hand the events to the stream's pipeline, let go of the stream (the next command
        runs on this one's state), and answer once they have committed."""
        (aggregate,) = self.loaded
        turn = self.repository.turn(aggregate, self.command.metadata(), outcome)
        answer = pipelines.hand_off(aggregate, self.speculative, turn)
        self.locks.release_all()
        result = await answer
        if result is None:  # a turn always has an answer; a barrier has none
            raise RuntimeError("a pipelined append was answered without a result")
        if result.replayed:  # another process's request with the same key got there first
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
        self.pipelines = Pipelines(repository) if repository.appends_turns else None
        # Idempotency keys of commands under way in this process: a second request with one
        # waits for the first, so two never share a batch (see pipeline.py).
        self._keys: dict[str, asyncio.Event] = {}
        self.reruns = 0  # attempts re-run after another process's write, since start

    async def execute(self, command: Command, attempt: Attempt) -> Changed:
        """Run `attempt` and append what it changed, holding each stream it loads.

        Commands of this process on a stream queue behind each other, so they never
        conflict. A command that reads and changes one stream only lets go of it once it has
        handed its events to the stream's pipeline: the next runs on that state, and the
        commands that queue up commit together (pipeline.py); every caller is answered once
        what it saw has committed. After another process's write the attempt re-runs on
        fresh state (the cached aggregates fast-forwarded), for up to `retry_seconds`, with
        jittered backoff; a pinned `expectedVersion` answers Conflict instead.
        """
        key = command.scoped_key
        if key is None:
            return await self._execute(command, attempt)
        while True:
            while (running := self._keys.get(key)) is not None:
                await running.wait()
            if (earlier := await self.store.idempotent_result(key)) is not None:
                return replay(command, earlier)
            if key not in self._keys:  # nobody took it while we looked it up
                break
        done = self._keys[key] = asyncio.Event()
        try:
            return await self._execute(command, attempt)
        finally:
            del self._keys[key]
            done.set()

    async def _execute(self, command: Command, attempt: Attempt) -> Changed:
        locks = CommandLocks(self.locks)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.retry_seconds
        reruns = 0
        solo = False
        try:
            while True:
                unit = UnitOfWork(
                    self.repository, command, self.today(), locks, pipelines=self.pipelines
                )
                unit.solo = solo
                try:
                    return await unit.finish(attempt)
                except LockOrderBroken as broken:
                    await locks.lock_in_order(broken.streams)
                except Speculative as busy:  # raised only with pipelines
                    if self.pipelines is not None:
                        await self.pipelines.idle(busy.stream_id)
                except Superseded as superseded:
                    # Not counted against the deadline: a batch before it failed, and the
                    # command that failed it meets its own conflict (or answers).
                    solo = solo or superseded.solo
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
