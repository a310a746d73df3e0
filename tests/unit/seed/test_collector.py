"""The collector while the district is written: frozen heap, rarer young passes, undone after."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from cso.seed.collector import fewer_collections


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """A heap nothing has frozen (the suite may have frozen one: a served app does), frozen
    again as it was after the test."""
    frozen = gc.get_freeze_count() > 0
    gc.unfreeze()
    yield
    if frozen:
        gc.freeze()


def test_the_heap_is_frozen_and_young_passes_rarer_only_inside_the_block(unfrozen: None) -> None:
    before = gc.get_threshold()
    with fewer_collections(young=12_345):
        assert gc.get_threshold() == (12_345, *before[1:])
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_the_collector_is_put_back_when_the_block_raises(unfrozen: None) -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections(young=5_000):
        raise RuntimeError("a step failed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_heap_frozen_before_the_block_stays_frozen_after_it(unfrozen: None) -> None:
    gc.freeze()  # as a serving process freezes its start-up heap
    frozen = gc.get_freeze_count()
    with fewer_collections():
        pass
    assert gc.get_freeze_count() >= frozen
