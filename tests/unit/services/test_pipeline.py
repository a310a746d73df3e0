"""A stream's pipeline: batches go one at a time, and a failed one takes what ran on it."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.domain import Aggregate, event

from cso.eventstore import AppendResult, Checkpoint, ConcurrencyConflict, Metadata, NewEvent
from cso.eventstore.append import Turn
from cso.eventstore.records import StreamAppend
from cso.services.pipeline import Pipelines, Superseded


class Counter(Aggregate):
    @event("Started")
    def __init__(self) -> None:
        self.count = 0

    @event("Bumped")
    def bump(self) -> None:
        self.count += 1


class FakeRepository:
    """Answers each batch when told to: `release(outcome)` for the oldest batch sent."""

    def __init__(self) -> None:
        self.sent: list[list[Turn]] = []
        self.gates: list[asyncio.Future[Exception | None]] = []
        self.replays: list[bool] = []  # per batch sent: answer as an earlier request's replay

    async def save_turns(
        self, turns: Sequence[Turn], aggregates: Sequence[Aggregate]
    ) -> list[AppendResult]:
        self.sent.append(list(turns))
        gate = asyncio.get_running_loop().create_future()
        self.gates.append(gate)
        failure = await gate
        if failure is not None:
            raise failure
        replayed = self.replays.pop(0)
        return [
            AppendResult(Checkpoint(1, n), {a.id: a.version}, replayed=replayed)
            for n, a in enumerate(aggregates)
        ]

    async def release(self, failure: Exception | None = None, *, replayed: bool = False) -> None:
        while not self.gates:
            await asyncio.sleep(0)
        self.replays.append(replayed)
        self.gates.pop(0).set_result(failure)


def turn_of(aggregate: Counter) -> Turn:
    stream = StreamAppend(aggregate.id, "Counter", aggregate.version - 1, [NewEvent("x", "{}")])
    return Turn(stream, Metadata(), {})


def pipelines(repository: FakeRepository) -> Pipelines:
    fake: Any = repository
    return Pipelines(fake)


async def in_flight(lines: Pipelines, counter: Counter) -> asyncio.Future[Any]:
    """The counter's first command handed off and taken by the sender: a batch of its own."""
    first = lines.hand_off(counter, None, turn_of(counter))
    await asyncio.sleep(0)
    return first


def next_on(lines: Pipelines, counter: Counter) -> asyncio.Future[Any]:
    """A command run on the state the events handed off so far leave, and handed off."""
    state, epoch = lines.state(counter.id)
    state.bump()
    return lines.hand_off(state, epoch, turn_of(state))


async def test_what_is_handed_off_during_a_batch_goes_next_as_one_batch() -> None:
    repository = FakeRepository()
    lines = pipelines(repository)
    counter = Counter()
    first = await in_flight(lines, counter)
    answers = [next_on(lines, counter) for _ in range(3)]
    await repository.release()
    await first
    await repository.release()
    results = await asyncio.gather(*answers)
    assert [len(batch) for batch in repository.sent] == [1, 3]
    assert [r.versions[counter.id] for r in results if r is not None] == [2, 3, 4]
    assert lines.batches == 1
    assert len(lines) == 0  # idle again: the entry is gone


async def test_a_failed_batch_supersedes_everything_handed_off_on_its_events() -> None:
    repository = FakeRepository()
    lines = pipelines(repository)
    counter = Counter()
    first = await in_flight(lines, counter)
    state, epoch = lines.state(counter.id)
    state.bump()
    second = lines.hand_off(state, epoch, turn_of(state))
    barrier = lines.hand_off(state, epoch, None)  # a refusal on the second's state
    conflict = ConcurrencyConflict(counter.id, 0, 1)
    await repository.release(conflict)

    with pytest.raises(ConcurrencyConflict):
        await first
    with pytest.raises(Superseded):
        await second
    with pytest.raises(Superseded):
        await barrier
    with pytest.raises(Superseded):  # a command still running on that state is too late
        lines.hand_off(state, epoch, turn_of(state))
    assert repository.sent == [repository.sent[0]]  # the second batch was never sent


async def test_a_replayed_append_supersedes_what_ran_on_its_events() -> None:
    # Another process's request with the same idempotency key committed first: the append
    # answers that request's result and appends nothing, so the stream is not the state the
    # followers ran on.
    repository = FakeRepository()
    lines = pipelines(repository)
    counter = Counter()
    first = await in_flight(lines, counter)
    state, epoch = lines.state(counter.id)
    state.bump()
    second = lines.hand_off(state, epoch, turn_of(state))
    barrier = lines.hand_off(state, epoch, None)  # a refusal on the second's state
    await repository.release(replayed=True)

    replay = await first
    assert replay is not None and replay.replayed  # the first hears the earlier result
    with pytest.raises(Superseded):
        await asyncio.wait_for(second, 1.0)  # not sent as a batch of its own
    with pytest.raises(Superseded):
        await asyncio.wait_for(barrier, 1.0)
    assert len(repository.sent) == 1


async def test_a_barrier_waits_for_the_batch_before_it_and_nothing_else() -> None:
    repository = FakeRepository()
    lines = pipelines(repository)
    counter = Counter()
    lines.hand_off(counter, None, turn_of(counter))
    await asyncio.sleep(0)
    state, epoch = lines.state(counter.id)
    barrier = lines.hand_off(state, epoch, None)
    await asyncio.sleep(0)
    assert not barrier.done()  # its state has not committed yet
    await repository.release()
    assert await barrier is None
    assert len(repository.sent) == 1  # a batch of barriers appends nothing


async def test_a_refused_batch_of_several_runs_each_again_alone() -> None:
    repository = FakeRepository()
    lines = pipelines(repository)
    counter = Counter()
    first = await in_flight(lines, counter)
    answers = [next_on(lines, counter) for _ in range(2)]
    await repository.release()
    await first
    await repository.release(ValueError("one of them is bad"))
    for answer in answers:
        with pytest.raises(Superseded) as superseded:
            await answer
        assert superseded.value.solo


async def test_idle_returns_once_nothing_handed_off_waits() -> None:
    repository = FakeRepository()
    lines = pipelines(repository)
    counter = Counter()
    answer = lines.hand_off(counter, None, turn_of(counter))
    idle = asyncio.ensure_future(lines.idle(counter.id))
    await asyncio.sleep(0)
    assert not idle.done()
    await repository.release()
    await answer
    await idle
    await lines.idle(uuid4())  # a stream with nothing in flight: at once
