"""The serving process's collector settings."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from cso.runtime import SERVING_GC_THRESHOLDS, settle_heap


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_collector")
def test_settling_the_heap_freezes_what_is_alive_and_sets_the_serving_thresholds() -> None:
    gc.unfreeze()
    kept = [object() for _ in range(10)]
    settle_heap()
    assert gc.get_threshold() == SERVING_GC_THRESHOLDS
    assert gc.get_freeze_count() >= len(kept)


@pytest.mark.usefixtures("restored_collector")
def test_the_young_generation_is_larger_than_pythons_default() -> None:
    settle_heap((5000, 10, 10))
    assert gc.get_threshold() == (5000, 10, 10)
    assert SERVING_GC_THRESHOLDS[0] > 700
