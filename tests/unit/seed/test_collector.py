"""The collector while the district is written: frozen heap, rarer young passes, undone after."""

from __future__ import annotations

import gc

import pytest

from cso.seed.collector import fewer_collections


def test_the_heap_is_frozen_and_young_passes_rarer_only_inside_the_block() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with fewer_collections(young=12_345):
        assert gc.get_threshold() == (12_345, *before[1:])
        assert gc.get_freeze_count() > frozen
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_the_collector_is_put_back_when_the_block_raises() -> None:
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with pytest.raises(RuntimeError), fewer_collections(young=5_000):
        raise RuntimeError("a step failed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen
