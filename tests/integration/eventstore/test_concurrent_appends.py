"""Appends racing each other: optimistic concurrency, atomicity, idempotency, reservations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import orjson
import pytest

from cso.database import connect
from cso.eventstore import (
    AppendResult,
    ConcurrencyConflict,
    EventStore,
    Metadata,
    Reservation,
    ReservationTaken,
    StreamAppend,
)
from tests.integration.eventstore.conftest import MakeEvent

WRITERS = 64


async def _versions(store: EventStore, stream: UUID) -> list[int]:
    return [event.version for event in await store.read_stream(stream)]


@pytest.mark.parametrize(
    "path",
    [
        "a new stream",
        "an existing stream, previous hash known",
        "an existing stream, previous hash looked up",
        "an existing stream, in a transaction with an idempotency key",
    ],
)
async def test_only_one_of_64_concurrent_appends_at_the_same_expected_version_wins(
    wide_pool: asyncpg.Pool[Any], make_event: MakeEvent, path: str
) -> None:
    store = EventStore(wide_pool)
    stream = uuid4()
    expected, previous_hash = 0, None
    if path != "a new stream":
        first = await store.append(
            [StreamAppend(stream, "Test", 0, [make_event(1), make_event(2), make_event(3)])],
            Metadata(),
        )
        expected = 3
        if path == "an existing stream, previous hash known":
            previous_hash = first.hashes[stream]

    async def attempt(writer: int) -> AppendResult:
        key = f"{stream}:{writer}" if "idempotency" in path else None
        events = [make_event(100 + writer, writer=writer), make_event(200 + writer, writer=writer)]
        return await store.append(
            [StreamAppend(stream, "Test", expected, events, previous_hash)],
            Metadata(idempotency_key=key),
        )

    outcomes = await asyncio.gather(
        *(attempt(writer) for writer in range(WRITERS)), return_exceptions=True
    )

    wins = [o for o in outcomes if isinstance(o, AppendResult)]
    conflicts = [o for o in outcomes if isinstance(o, ConcurrencyConflict)]
    others = [o for o in outcomes if not isinstance(o, AppendResult | ConcurrencyConflict)]
    assert others == []
    assert len(wins) == 1
    assert len(conflicts) == WRITERS - 1
    assert wins[0].versions == {stream: expected + 2}
    for conflict in conflicts:
        assert conflict.stream_id == stream
        assert conflict.expected_version == expected
        assert conflict.current_version == expected + 2
    events = await store.read_stream(stream)
    assert [e.version for e in events] == list(range(1, expected + 3))
    assert len({e.data["writer"] for e in events[expected:]}) == 1  # both from the one winner
    assert (await store.verify_stream(stream)).ok


@pytest.mark.parametrize("conflict", ["behind the stream", "ahead of the stream"])
@pytest.mark.parametrize("with_transaction", [False, True])
async def test_a_multi_stream_append_with_one_conflicting_stream_lands_nothing(
    store: EventStore, make_event: MakeEvent, conflict: str, with_transaction: bool
) -> None:
    fresh, existing, other_fresh = uuid4(), uuid4(), uuid4()
    created = await store.append(
        [StreamAppend(existing, "Test", 0, [make_event(1), make_event(2)])], Metadata()
    )
    head = await store.head()
    wrong = 1 if conflict == "behind the stream" else 5
    # A reservation (and an idempotency key) move the append onto its transaction path.
    reservation = Reservation("test-code", str(uuid4()), fresh)
    with pytest.raises(ConcurrencyConflict) as caught:
        await store.append(
            [
                StreamAppend(fresh, "Test", 0, [make_event(1)]),
                StreamAppend(
                    existing,
                    "Test",
                    wrong,
                    [make_event(3)],
                    None if conflict == "ahead of the stream" else created.hashes[existing],
                ),
                StreamAppend(other_fresh, "Test", 0, [make_event(1)]),
            ],
            Metadata(idempotency_key=str(uuid4()) if with_transaction else None),
            reservations=[reservation] if with_transaction else [],
        )

    assert caught.value.stream_id == existing
    assert caught.value.expected_version == wrong
    assert caught.value.current_version == 2
    assert await _versions(store, fresh) == []
    assert await _versions(store, other_fresh) == []
    assert await _versions(store, existing) == [1, 2]
    mine = {fresh, existing, other_fresh}
    logged = {(e.stream_id, e.version) for e in await store.read_log(head) if e.stream_id in mine}
    assert logged <= {(existing, 1), (existing, 2)}  # the head may lag behind those two
    # The reservation went with the rest: someone else can take the value now.
    taker = uuid4()
    await store.append(
        [StreamAppend(taker, "Test", 0, [make_event(1)])],
        Metadata(),
        reservations=[Reservation(reservation.scope, reservation.value, taker)],
    )
    assert await _versions(store, taker) == [1]


DEADLOCKER = "cso-test-deadlock"

INSERT_BARE = """
INSERT INTO events (stream_id, stream_type, version, type, data, metadata, recorded_at, hash)
VALUES ($1, 'Test', $2, 'test:Raw', '{}', '{}', now(), '\\x00')
"""


@pytest.fixture
async def deadlocking_pool(database_url: str) -> AsyncIterator[asyncpg.Pool[Any]]:
    """A pool whose sessions look for deadlocks after 300 ms and can be told apart.

    Startup settings, not SET: a pool resets session settings when it takes a connection back.
    """

    async def json_codec(conn: asyncpg.Connection[Any]) -> None:
        await conn.set_type_codec(
            "jsonb",
            encoder=lambda v: orjson.dumps(v).decode(),
            decoder=orjson.loads,
            schema="pg_catalog",
        )

    pool = await asyncpg.create_pool(
        database_url,
        min_size=1,
        max_size=2,
        init=json_codec,
        server_settings={"application_name": DEADLOCKER, "deadlock_timeout": "300ms"},
    )
    assert pool is not None
    yield pool
    await pool.close()


async def _wait_until_blocked(pool: asyncpg.Pool[Any], application: str) -> None:
    """Returns once a session of `application` waits on a lock; fails after 5 s."""
    deadline = asyncio.get_running_loop().time() + 5
    while asyncio.get_running_loop().time() < deadline:
        waiting = await pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE application_name = $1 AND wait_event_type = 'Lock'",
            application,
        )
        if waiting:
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"no session of {application} ever waited on a lock")


async def test_an_append_that_deadlocks_with_another_transaction_ends_in_a_conflict_not_an_error(
    deadlocking_pool: asyncpg.Pool[Any],
    pool: asyncpg.Pool[Any],
    database_url: str,
    make_event: MakeEvent,
) -> None:
    """Writers touching the same streams in opposite orders can deadlock. PostgreSQL rolls one
    back; when that is an append, its caller must get the ConcurrencyConflict it retries on."""
    store = EventStore(deadlocking_pool)
    a, b = uuid4(), uuid4()
    made = await store.append(
        [StreamAppend(a, "Test", 0, [make_event(1)]), StreamAppend(b, "Test", 0, [make_event(1)])],
        Metadata(),
    )
    other = await connect(database_url)
    try:
        await other.execute("SET deadlock_timeout = '30s'")  # so the append is the one rolled back
        transaction = other.transaction()
        await transaction.start()
        await other.execute(INSERT_BARE, b, 2)  # the other writer holds (b, 2) ...
        append = asyncio.create_task(
            store.append(
                [
                    StreamAppend(a, "Test", 1, [make_event(2)], made.hashes[a]),
                    StreamAppend(b, "Test", 1, [make_event(2)], made.hashes[b]),
                ],
                Metadata(),
            )
        )
        await _wait_until_blocked(pool, DEADLOCKER)  # ... the append holds (a, 2), wants (b, 2)
        await asyncio.wait_for(other.execute(INSERT_BARE, a, 2), 10)  # the cycle; append loses
        await transaction.commit()

        with pytest.raises(ConcurrencyConflict) as caught:
            await asyncio.wait_for(append, 10)
    finally:
        await other.close()

    assert caught.value.current_version == 2
    assert [e.type for e in await store.read_stream(a)] == ["test:Happened", "test:Raw"]
    assert [e.type for e in await store.read_stream(b)] == ["test:Happened", "test:Raw"]


async def test_an_append_repeated_with_the_same_idempotency_key_returns_the_first_result(
    store: EventStore, make_event: MakeEvent
) -> None:
    stream = uuid4()
    metadata = Metadata(idempotency_key=f"create:{stream}")
    first = await store.append([StreamAppend(stream, "Test", 0, [make_event(1)])], metadata)
    second = await store.append(
        [StreamAppend(stream, "Test", 0, [make_event(1)])], metadata
    )  # the same command, sent again

    assert first.replayed is False
    assert second.replayed is True
    assert second.checkpoint == first.checkpoint
    assert second.versions == first.versions == {stream: 1}
    assert await _versions(store, stream) == [1]


@pytest.mark.parametrize("target", ["the same stream", "a fresh stream each"])
async def test_concurrent_appends_with_one_idempotency_key_append_once_and_all_return_it(
    pool: asyncpg.Pool[Any], make_event: MakeEvent, target: str
) -> None:
    store = EventStore(pool)
    shared = uuid4()
    key = f"duplicate:{shared}"
    streams = [shared if target == "the same stream" else uuid4() for _ in range(16)]

    results = await asyncio.gather(
        *(
            store.append(
                [StreamAppend(stream, "Test", 0, [make_event(1), make_event(2)])],
                Metadata(idempotency_key=key),
            )
            for stream in streams
        ),
        return_exceptions=True,
    )

    assert [r for r in results if not isinstance(r, AppendResult)] == []
    originals = [r for r in results if isinstance(r, AppendResult) and not r.replayed]
    assert len(originals) == 1
    original = originals[0]
    assert all(r.checkpoint == original.checkpoint for r in results if isinstance(r, AppendResult))
    assert all(r.versions == original.versions for r in results if isinstance(r, AppendResult))
    (winner,) = original.versions
    for stream in set(streams):
        assert await _versions(store, stream) == ([1, 2] if stream == winner else [])


async def test_a_taken_reservation_refuses_the_append_and_lands_nothing(
    store: EventStore, make_event: MakeEvent
) -> None:
    owner, rival = uuid4(), uuid4()
    code = f"91{uuid4().hex[:16]}"
    free = f"92{uuid4().hex[:16]}"
    await store.append(
        [StreamAppend(owner, "Enterprise", 0, [make_event(1)])],
        Metadata(),
        reservations=[Reservation("credit-code", code, owner)],
    )

    with pytest.raises(ReservationTaken) as caught:
        await store.append(
            [StreamAppend(rival, "Enterprise", 0, [make_event(1)])],
            Metadata(),
            reservations=[
                Reservation("credit-code", free, rival),
                Reservation("credit-code", code, rival),
            ],
        )

    assert (caught.value.scope, caught.value.value) == ("credit-code", code)
    assert await _versions(store, rival) == []
    # Nothing of the refused append stayed: its other, free value is still free.
    await store.append(
        [StreamAppend(uuid4(), "Enterprise", 0, [make_event(1)])],
        Metadata(),
        reservations=[Reservation("credit-code", free, uuid4())],
    )


async def test_a_released_reservation_can_be_taken_by_another_stream(
    store: EventStore, make_event: MakeEvent
) -> None:
    owner, successor = uuid4(), uuid4()
    name = f"name-{uuid4()}"
    made = await store.append(
        [StreamAppend(owner, "Enterprise", 0, [make_event(1)])],
        Metadata(),
        reservations=[Reservation("name", name, owner)],
    )
    await store.append(
        [StreamAppend(owner, "Enterprise", 1, [make_event(2)], made.hashes[owner])],
        Metadata(),
        releases=[Reservation("name", name, owner)],
    )

    await store.append(
        [StreamAppend(successor, "Enterprise", 0, [make_event(1)])],
        Metadata(),
        reservations=[Reservation("name", name, successor)],
    )

    assert await _versions(store, successor) == [1]


async def test_of_concurrent_appends_reserving_one_value_exactly_one_lands(
    pool: asyncpg.Pool[Any], make_event: MakeEvent
) -> None:
    store = EventStore(pool)
    code = f"93{uuid4().hex[:16]}"
    streams = [uuid4() for _ in range(16)]

    results = await asyncio.gather(
        *(
            store.append(
                [StreamAppend(stream, "Enterprise", 0, [make_event(1)])],
                Metadata(),
                reservations=[Reservation("credit-code", code, stream)],
            )
            for stream in streams
        ),
        return_exceptions=True,
    )

    wins = [r for r in results if isinstance(r, AppendResult)]
    taken = [r for r in results if isinstance(r, ReservationTaken)]
    assert len(wins) == 1
    assert len(taken) == len(streams) - 1
    landed = [s for s in streams if await _versions(store, s)]
    assert landed == list(wins[0].versions)
