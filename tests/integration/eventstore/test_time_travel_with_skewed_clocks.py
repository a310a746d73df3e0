"""Replaying to a moment when recorded_at goes back between versions.

A store's injected clock (the seed's) need not grow with the version, nor need the clocks
of two database servers after a fail-over: here version 3 was stamped five seconds before
version 2. A moment names the last version
recorded by then, and the replay takes every event up to it, never leaving one out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from eventsourcing.domain import Aggregate, event

from cso.eventstore import Codec, EventStore, Metadata, Repository, StreamAppend, StreamNotFound
from cso.eventstore.records import Snapshot

T0 = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
# Versions 1 to 4, as their processes stamped them: version 3's clock ran behind.
STAMPS = [T0, T0 + 10 * SECOND, T0 + 5 * SECOND, T0 + 20 * SECOND]


class Counter(Aggregate):
    @event("Started")
    def __init__(self) -> None:
        self.count = 0

    @event("Counted")
    def count_one(self) -> None:
        self.count += 1


def stamped(codec: Codec, counter: Counter) -> list[Any]:
    """The counter's pending events, encoded (the store's clock stamps them)."""
    return [codec.encode(pending) for pending in counter.collect_events()]


def skewed_store(pool: asyncpg.Pool[Any]) -> EventStore:
    """A store whose clock gives STAMPS in turn, one per event appended."""
    return EventStore(pool, clock=iter(STAMPS).__next__)


async def skewed_counter(store: EventStore, codec: Codec, *, snapshot_at_2: bool) -> UUID:
    """A counter at version 4 (count 3), written in two appends: versions 1–2, then 3–4."""
    counter = Counter()
    counter.count_one()
    snapshots = []
    if snapshot_at_2:
        state = codec.encode_snapshot(counter)
        snapshots = [Snapshot(counter.id, state.type, state.data)]
    first = StreamAppend(counter.id, "Counter", 0, stamped(codec, counter))
    await store.append([first], Metadata(), snapshots=snapshots)
    counter.count_one()
    counter.count_one()
    await store.append(
        [StreamAppend(counter.id, "Counter", 2, stamped(codec, counter))], Metadata()
    )
    return counter.id


@pytest.fixture
def codec() -> Codec:
    return Codec()


@pytest.mark.parametrize("snapshot_at_2", [False, True], ids=["replayed", "from a snapshot"])
@pytest.mark.parametrize(
    ("moment", "version"),
    [
        (T0, 1),
        (T0 + 5 * SECOND, 3),  # version 3 was recorded by then, so version 2 had been too
        (T0 + 7 * SECOND, 3),
        (T0 + 12 * SECOND, 3),
        (T0 + 20 * SECOND, 4),
    ],
)
async def test_a_moment_replays_every_event_up_to_the_last_version_recorded_by_then(
    pool: asyncpg.Pool[Any], codec: Codec, snapshot_at_2: bool, moment: datetime, version: int
) -> None:
    store = skewed_store(pool)
    counter_id = await skewed_counter(store, codec, snapshot_at_2=snapshot_at_2)

    counter = await Repository(store, codec).get(counter_id, Counter, as_of=moment)

    assert (counter.version, counter.count) == (version, version - 1)


async def test_a_moment_and_a_version_together_replay_to_the_earlier_of_the_two(
    pool: asyncpg.Pool[Any], codec: Codec
) -> None:
    store = skewed_store(pool)
    counter_id = await skewed_counter(store, codec, snapshot_at_2=False)
    repository = Repository(store, codec)

    by_version = await repository.get(counter_id, Counter, as_of=T0 + 20 * SECOND, version=2)
    by_moment = await repository.get(counter_id, Counter, as_of=T0 + 7 * SECOND, version=4)

    assert (by_version.version, by_moment.version) == (2, 3)


async def test_before_the_first_event_was_recorded_there_is_nothing_to_replay(
    pool: asyncpg.Pool[Any], codec: Codec
) -> None:
    store = skewed_store(pool)
    counter_id = await skewed_counter(store, codec, snapshot_at_2=True)

    with pytest.raises(StreamNotFound):
        await Repository(store, codec).get(counter_id, Counter, as_of=T0 - SECOND)
