"""The response cache's own rules: which operations it may keep, and its size caps."""

from __future__ import annotations

import asyncio

import pytest

from cso.graphql.response_cache import Entry, ResponseCache, SharedRead
from cso.metrics import Metrics


def cacheable(text: str, operation: str | None = None) -> bool:
    return ResponseCache(10, 10_000).cacheable("h", text, operation)


def test_only_queries_without_audit_fields_may_be_cached() -> None:
    assert cacheable("{ projects(first: 20) { totalCount } }")
    assert cacheable("query P { projects { totalCount } } mutation M { x }", "P")
    assert not cacheable("query P { projects { totalCount } } mutation M { x }", "M")
    assert not cacheable("mutation { registerOfficer(input: {}) { consistencyToken } }")
    assert not cacheable("subscription { eventAppended { position } }")
    assert not cacheable("{ projects { totalCount } auditLog { totalCount } }")
    assert not cacheable("{ ...Root } fragment Root on Query { auditLog { totalCount } }")
    assert not cacheable("query A { me { id } } query B { me { id } }")  # which one?
    assert not cacheable("{ me { ")


def test_a_decision_is_made_once_per_document_and_operation() -> None:
    cache = ResponseCache(10, 10_000)
    assert not cache.cacheable("h", "mutation { x }", None)
    # Decided by hash: the text is not parsed again.
    assert not cache.cacheable("h", "{ me { id } }", None)
    assert cache.cacheable("h", "query Other { me { id } }", "Other")


def entry(size: int, snapshot: str = "s") -> Entry:
    return Entry(snapshot, b"x" * size, "Q")


def test_the_least_recently_used_entries_are_evicted_past_the_entry_cap() -> None:
    metrics = Metrics()
    cache = ResponseCache(2, 10_000)
    cache.put(b"a", entry(1), metrics)
    cache.put(b"b", entry(1), metrics)
    assert cache.get(b"a") is not None  # now the most recently used
    cache.put(b"c", entry(1), metrics)
    assert cache.get(b"b") is None
    assert cache.get(b"a") is not None and cache.get(b"c") is not None
    assert metrics.response_cache_evictions._value.get() == 1


def test_entries_are_evicted_past_the_byte_cap_and_a_too_big_one_is_not_kept() -> None:
    metrics = Metrics()
    cache = ResponseCache(100, 250)
    cache.put(b"a", entry(100), metrics)
    cache.put(b"b", entry(100), metrics)
    cache.put(b"c", entry(100), metrics)
    assert len(cache) == 2 and cache.get(b"a") is None
    assert cache.size_bytes == 2 * 101
    cache.put(b"d", entry(1000), metrics)
    assert cache.get(b"d") is None
    assert cache.size_bytes <= 250


def test_a_newer_entry_replaces_the_keys_older_one() -> None:
    metrics = Metrics()
    cache = ResponseCache(10, 10_000)
    cache.put(b"a", entry(10, "old"), metrics)
    cache.put(b"a", entry(20, "new"), metrics)
    found = cache.get(b"a")
    assert found is not None and found.snapshot == "new"
    assert len(cache) == 1 and cache.size_bytes == 21


async def test_requests_for_the_same_key_and_state_wait_for_the_one_computing_it() -> None:
    metrics = Metrics()
    cache = ResponseCache(10, 10_000)
    with cache.computing(b"k", "s") as running:
        assert running is None
        with cache.computing(b"k", "s") as waiting:
            assert waiting is not None
            with cache.computing(b"k", "other state") as elsewhere:
                assert elsewhere is None
        cache.put(b"k", entry(3), metrics)
    assert waiting.done() and waiting.result() == entry(3)
    with cache.computing(b"k", "s") as again:
        assert again is None  # nothing left running: a new computation
    await asyncio.sleep(0)


async def test_requests_arriving_during_a_state_read_share_the_next_one_begun_after_them() -> None:
    shared = SharedRead()
    began: list[int] = []
    release = [asyncio.Event(), asyncio.Event()]

    async def fetch() -> str:
        began.append(len(began))
        await release[began[-1]].wait()
        return f"state {began[-1]}"

    first = asyncio.create_task(shared.read(fetch))
    await asyncio.sleep(0)
    later = [asyncio.create_task(shared.read(fetch)) for _ in range(5)]
    await asyncio.sleep(0)
    assert began == [0]  # the later ones wait: the running read began before they arrived
    release[0].set()
    assert await first == "state 0"
    await asyncio.sleep(0)
    assert began == [0, 1]
    release[1].set()
    assert await asyncio.gather(*later) == ["state 1"] * 5  # one read for all five


async def test_a_failed_state_read_fails_its_waiters_and_the_next_read_runs() -> None:
    shared = SharedRead()
    calls: list[str] = []

    async def failing() -> str:
        calls.append("failing")
        raise ConnectionResetError("cut")

    async def working() -> str:
        calls.append("working")
        return "state"

    with pytest.raises(ConnectionResetError):
        await shared.read(failing)
    assert await shared.read(working) == "state"
    assert calls == ["failing", "working"]
