"""Encoded events survive jsonb: they decode to the same values and their hashes still verify."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from eventsourcing.domain import Aggregate, event

from cso.domain.enums import DOMAIN_ENUMS
from cso.eventstore import Codec, EventStore, Metadata, Repository


class Ledger(Aggregate):
    @event("Opened")
    def __init__(self, payload: Any) -> None:
        self.payload = payload
        self.history: list[Any] = []

    @event("Recorded")
    def record(self, payload: Any) -> None:
        self.history.append(payload)


def _payload() -> dict[str, Any]:
    return {
        "id": uuid4(),
        "amount": Decimal("1.50"),
        "large": Decimal("98765432109876543210.000000001"),
        "on": date(2024, 2, 29),
        "at": datetime(2024, 6, 1, 17, 30, 0, 1, tzinfo=timezone(timedelta(hours=8))),
        "enums": {e.__name__: list(e) for e in DOMAIN_ENUMS},
        "nested": [{"ids": [uuid4(), uuid4()], "note": '带引号的 "note"'}, [], {}],
        "big": 2**62,
        "nothing": None,
    }


@pytest.fixture
def codec() -> Codec:
    return Codec(DOMAIN_ENUMS)


async def test_every_registered_type_reads_back_from_postgres_as_itself(
    store: EventStore, codec: Codec
) -> None:
    ledger = Ledger(_payload())
    for _ in range(3):
        ledger.record(_payload())
    expected = vars(ledger).copy()
    await Repository(store, codec).save(ledger, metadata=Metadata())

    rows = await store.read_raw(ledger.id)
    replayed: Any = None
    for row in rows:
        replayed = codec.decode(ledger.id, row["version"], row["type"], row["data"]).mutate(
            replayed
        )

    assert {k: v for k, v in vars(replayed).items() if k != "_pending_events"} == {
        k: v for k, v in expected.items() if k != "_pending_events"
    }
    assert str(replayed.payload["amount"]) == "1.50"
    for enum_class in DOMAIN_ENUMS:
        assert replayed.history[0]["enums"][enum_class.__name__][0] is next(iter(enum_class))
    assert (await store.verify_stream(ledger.id)).ok


async def test_stored_event_data_is_readable_json_in_the_database(
    pool: asyncpg.Pool[Any], store: EventStore, codec: Codec
) -> None:
    payload = _payload()
    ledger = Ledger(payload)
    await Repository(store, codec).save(ledger, metadata=Metadata())

    amount_in_sql = await pool.fetchval(
        "SELECT data #>> '{payload,amount,_data_}' FROM events WHERE stream_id = $1", ledger.id
    )
    (stored,) = await store.read_stream(ledger.id)
    plain = codec.plain(stored.data)

    assert amount_in_sql == "1.50"
    assert plain["payload"]["amount"] == "1.50"
    assert plain["payload"]["on"] == "2024-02-29"
    assert plain["payload"]["at"] == "2024-06-01T17:30:00.000001+08:00"
    assert UUID(plain["payload"]["id"]) == payload["id"]
    for enum_class in DOMAIN_ENUMS:
        assert plain["payload"]["enums"][enum_class.__name__] == [m.name for m in enum_class]


async def test_a_snapshot_of_an_aggregate_holding_every_type_loads_to_the_same_state(
    store: EventStore, codec: Codec
) -> None:
    ledger = Ledger(_payload())
    ledger.record(_payload())
    await Repository(store, codec, snapshot_interval=2).save(ledger, metadata=Metadata())
    assert await store.latest_snapshot(ledger.id) is not None

    loaded = await Repository(store, codec).get(ledger.id, Ledger)

    assert loaded.payload == ledger.payload
    assert loaded.history == ledger.history
    # When its last event was recorded: the database's clock, at or after the domain's.
    assert loaded.modified_on == (await store.read_stream(ledger.id))[-1].recorded_at
    assert loaded.modified_on >= ledger.modified_on
    assert loaded.modified_on.tzinfo is not None
    assert datetime.now(UTC) - loaded.created_on < timedelta(minutes=5)
