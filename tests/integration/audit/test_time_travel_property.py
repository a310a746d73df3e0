"""A property of time travel: for random streams and random points (versions, moments), the
repository's answer — from the nearest snapshot, then the events after it — equals a replay
of the stream's events from scratch."""

from __future__ import annotations

import random
from typing import Any
from uuid import UUID, uuid4

import orjson
import pytest

from cso.domain.chain import IndustryChain
from cso.domain.enums import DOMAIN_ENUMS
from cso.eventstore import Codec, EventStore, Metadata, Repository

CODEC = Codec(DOMAIN_ENUMS)


async def random_chain(store: EventStore, rng: random.Random) -> UUID:
    """A chain saved in random-sized appends of designations, so that snapshots (every 4
    versions) fall at irregular places within and between appends."""
    repository = Repository(store, CODEC, snapshot_interval=4)
    chain = IndustryChain.establish(f"链{uuid4().hex[:8]}", "王副区长", "区科技局")
    await repository.save(chain, metadata=Metadata())
    for _ in range(rng.randint(5, 15)):
        for _ in range(rng.randint(1, 4)):
            chain.designate_master(uuid4())
        await repository.save(chain, metadata=Metadata())
    return chain.id


async def from_scratch(store: EventStore, stream_id: UUID, version: int) -> Any:
    """The aggregate replayed from its first event, without the repository or snapshots."""
    aggregate = None
    for recorded in await store.read_stream(stream_id, to_version=version):
        data = orjson.dumps(recorded.data).decode()
        event = CODEC.decode(stream_id, recorded.version, recorded.type, data)
        aggregate = event.mutate(aggregate)
    return aggregate


@pytest.mark.parametrize("seed", range(6))
async def test_time_travel_equals_a_replay_from_scratch(log_store: EventStore, seed: int) -> None:
    rng = random.Random(seed)
    stream_id = await random_chain(log_store, rng)
    history = await log_store.read_stream(stream_id)
    assert await log_store.pool.fetchval(
        "SELECT count(*) FROM snapshots WHERE stream_id = $1", stream_id
    )
    fresh = Repository(log_store, CODEC)  # an empty cache: every answer is read
    for version in rng.sample(range(1, len(history) + 1), k=min(8, len(history))):
        travelled = await fresh.get(stream_id, IndustryChain, version=version)
        replayed = await from_scratch(log_store, stream_id, version)
        assert travelled.version == replayed.version == version
        assert travelled.master_ids == replayed.master_ids
    for recorded in rng.sample(history, k=min(5, len(history))):
        moment = recorded.recorded_at
        at_moment = max(e.version for e in history if e.recorded_at <= moment)
        travelled = await fresh.get(stream_id, IndustryChain, as_of=moment)
        replayed = await from_scratch(log_store, stream_id, at_moment)
        assert (travelled.version, travelled.master_ids) == (at_moment, replayed.master_ids)
