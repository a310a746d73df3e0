"""Pipelining on a stream: commands run on the state their predecessors left, not yet
committed, and the commands that queue up while an append is in flight commit as one.

Commands on one stream take the stream's lock one after another (locks.py). A command
that read and changed that one stream only hands its events to the stream's pipeline and
lets go of the lock at once: the next command runs on the aggregate as the events handed
off so far leave it, while they are still on their way to the database. The pipeline sends
one batch at a time: everything handed off while a batch is in flight goes next, as one
append (one transaction, the stream's version before the first of them expected).

Nobody is answered before what their answer depends on is committed:
- a command that appended is answered once its batch has committed;
- a command that appended nothing (refused by a rule, or asked for what already was) on
  state that was not committed yet waits for everything handed off before it (a barrier);
- when a batch fails, every command that ran on its events (the rest of the batch, and
  everything handed off after it) is told `Superseded` and runs again on committed state.
  A batch that another process's write refused is a conflict for its own commands, which
  the application re-runs as before; one whose COMMIT may have gone through gives every
  command in it that error, and none of them runs again.

A command that reads a second stream never runs on uncommitted state: it waits, holding
its locks, until the stream's pipeline is empty (`Speculative`), and runs again.
"""

from __future__ import annotations

import asyncio
import itertools
import pickle
from dataclasses import dataclass, field
from uuid import UUID

from eventsourcing.domain import Aggregate

from cso.eventstore import ConcurrencyConflict, Repository
from cso.eventstore.append import Turn
from cso.eventstore.batch import OUTCOME_UNKNOWN
from cso.eventstore.errors import KeysTaken
from cso.eventstore.records import AppendResult


class Superseded(Exception):
    """The command ran on events that never committed (or were refused with others): run it
    again on fresh state; `solo` asks to run it without others this time."""

    def __init__(self, *, solo: bool = False) -> None:
        super().__init__("the state this command ran on was not committed; run it again")
        self.solo = solo


class Speculative(Exception):
    """The command needs `stream_id` committed (it reads more than one stream) while
    appends onto it are in flight: wait for `Pipelines.idle`, then run it again."""

    def __init__(self, stream_id: UUID) -> None:
        super().__init__(f"stream {stream_id} has appends in flight")
        self.stream_id = stream_id


@dataclass
class _Entry:
    """A command handed off: its turn (None for a barrier: nothing to append, answered
    once everything before it committed) and the aggregate after it."""

    turn: Turn | None
    aggregate: Aggregate | None
    answer: asyncio.Future[AppendResult | None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


@dataclass
class _Stream:
    epoch: int
    # After the last command handed off; read only through copies (once committed, the
    # repository's cache may hold this very object: Repository.save_turns).
    state: Aggregate
    waiting: list[_Entry] = field(default_factory=list)
    idle: list[asyncio.Future[None]] = field(default_factory=list)


class Pipelines:
    """The streams with appends in flight in this process; one per `Application`.

    An entry lives only while its stream has commands handed off and not yet answered.
    """

    def __init__(self, repository: Repository) -> None:
        self.repository = repository
        self._streams: dict[UUID, _Stream] = {}
        self._epochs = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self.batches = 0  # appends sent with more than one command, since start

    def __len__(self) -> int:
        """How many streams have appends in flight right now."""
        return len(self._streams)

    def busy(self, stream_id: UUID) -> bool:
        return stream_id in self._streams

    def state(self, stream_id: UUID) -> tuple[Aggregate, int]:
        """A copy of the aggregate as the commands handed off leave it (the caller owns it),
        and the epoch to hand off with. Only while `busy(stream_id)`."""
        stream = self._streams[stream_id]
        copied: Aggregate = pickle.loads(pickle.dumps(stream.state, pickle.HIGHEST_PROTOCOL))
        return copied, stream.epoch

    def hand_off(
        self, aggregate: Aggregate, epoch: int | None, turn: Turn | None
    ) -> asyncio.Future[AppendResult | None]:
        """Queue a command that ran on `aggregate`'s stream, holding its lock: on the state
        of `epoch` (from `state`), or on committed state (None). Its answer: the result of
        its append, None for a barrier (`turn` None), or the error to raise.

        Raises Superseded when the state it ran on was given up meanwhile.
        """
        stream = self._streams.get(aggregate.id)
        if (None if stream is None else stream.epoch) != epoch:
            raise Superseded()
        entry = _Entry(turn, aggregate)
        entry.answer.add_done_callback(_retrieved)  # a caller cancelled meanwhile
        if stream is None:
            stream = self._streams[aggregate.id] = _Stream(next(self._epochs), aggregate)
            task = asyncio.get_running_loop().create_task(self._drive(aggregate.id, stream))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if turn is not None:
            stream.state = aggregate
        stream.waiting.append(entry)
        return entry.answer

    async def idle(self, stream_id: UUID) -> None:
        """Return once nothing handed off on the stream waits for its answer."""
        stream = self._streams.get(stream_id)
        if stream is not None:
            done = asyncio.get_running_loop().create_future()
            stream.idle.append(done)
            await done

    async def close(self) -> None:
        """Let the batches under way finish."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _drive(self, stream_id: UUID, stream: _Stream) -> None:
        """Send what waits, a batch at a time, until nothing does; then drop the entry."""
        batch: list[_Entry] = []
        try:
            while stream.waiting:
                batch, stream.waiting = stream.waiting, []
                if not await self._send(batch):
                    # Everything handed off since ran on the refused batch's events.
                    for entry in stream.waiting:
                        _answer(entry, Superseded())
                    stream.waiting = []
                    stream.epoch = next(self._epochs)
        finally:
            # Only if this task was cancelled (the loop is closing): what was on its way
            # may have committed, what waited has not.
            for entry in batch:
                _answer(entry, ConnectionAbortedError("the append was interrupted"))
            for entry in stream.waiting:
                _answer(entry, Superseded())
            if self._streams.get(stream_id) is stream:
                del self._streams[stream_id]
            for done in stream.idle:
                if not done.done():
                    done.set_result(None)

    async def _send(self, batch: list[_Entry]) -> bool:
        """Append the batch's turns as one and answer every entry; whether it committed."""
        appending = [e for e in batch if e.turn is not None]
        barriers = [e for e in batch if e.turn is None]
        if not appending:
            for entry in barriers:
                _answer(entry, None)
            return True
        if len(appending) > 1:
            self.batches += 1
        try:
            results = await self.repository.save_turns(
                [e.turn for e in appending if e.turn is not None],
                [e.aggregate for e in appending if e.aggregate is not None],
            )
        except KeysTaken as taken:  # another process's requests with the same keys
            for n, entry in enumerate(appending):
                _answer(entry, taken.earlier.get(n) or Superseded())
        except (ConcurrencyConflict, *OUTCOME_UNKNOWN) as exc:
            for entry in appending:
                _answer(entry, exc)
        except Exception as exc:
            # Refused for a reason that may be one command's own: alone, it gets the error;
            # together, each runs again on its own so that only the one at fault sees it.
            for entry in appending:
                _answer(entry, exc if len(appending) == 1 else Superseded(solo=True))
        else:
            for entry, result in zip(appending, results, strict=True):
                _answer(entry, result)
            # A replay appended nothing of ours (another process's request with the same key
            # committed first): what ran on this batch's events ran on state that is not the
            # stream's, so it runs again, as after KeysTaken.
            if not any(result.replayed for result in results):
                for entry in barriers:
                    _answer(entry, None)
                return True
        for entry in barriers:
            _answer(entry, Superseded())
        return False


def _answer(entry: _Entry, outcome: AppendResult | BaseException | None) -> None:
    if entry.answer.done():
        return
    if isinstance(outcome, BaseException):
        entry.answer.set_exception(outcome)
    else:
        entry.answer.set_result(outcome)


def _retrieved(answer: asyncio.Future[AppendResult | None]) -> None:
    """Mark an error as seen: a caller that was cancelled no longer awaits its answer."""
    if not answer.cancelled():
        answer.exception()
