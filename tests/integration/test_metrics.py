"""cso.metrics against PostgreSQL: appends and conflicts counted, pools measured."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from cso.eventstore import ConcurrencyConflict, Metadata, NewEvent, StreamAppend
from cso.metrics import MeasuredEventStore, Metrics


def _event(n: int) -> NewEvent:
    return NewEvent(type="test:Happened", data=f'{{"n": {n}}}', recorded_at=datetime.now(UTC))


def _sample(metrics: Metrics, name: str, labels: dict[str, str] | None = None) -> float:
    value = metrics.registry.get_sample_value(name, labels or {})
    return value or 0.0


async def test_appends_their_events_and_version_conflicts_are_counted(
    pool: asyncpg.Pool[Any],
) -> None:
    metrics = Metrics()
    store = MeasuredEventStore(pool, metrics)
    stream = uuid.uuid4()
    await store.append([StreamAppend(stream, "Test", 0, [_event(1), _event(2)])], Metadata())
    with pytest.raises(ConcurrencyConflict):
        await store.append([StreamAppend(stream, "Test", 0, [_event(3)])], Metadata())
    assert _sample(metrics, "cso_eventstore_appends_total") == 1
    assert _sample(metrics, "cso_eventstore_appended_events_total") == 2
    assert _sample(metrics, "cso_eventstore_conflicts_total") == 1


async def test_a_scrape_shows_each_pools_connections_in_use(pool: asyncpg.Pool[Any]) -> None:
    metrics = Metrics()
    async with pool.acquire():
        metrics.render([], {"write": pool})
        in_use = _sample(metrics, "cso_pool_connections_in_use", {"pool": "write"})
    assert in_use >= 1
    assert _sample(metrics, "cso_pool_max_connections", {"pool": "write"}) == pool.get_max_size()


def test_operation_labels_stop_growing_past_the_limit() -> None:
    metrics = Metrics()
    names = [metrics.operation_label(f"Op{n}") for n in range(250)]
    assert names[:200] == [f"Op{n}" for n in range(200)]
    assert set(names[200:]) == {"(other)"}
    assert metrics.operation_label("Op3") == "Op3"
