"""The garbage collector while the district is written: its plan left out, fewer passes.

A district seed holds a million planned steps and tens of thousands of cached aggregates,
none of them garbage, and makes millions of short-lived objects per minute. With the
collector's defaults, each full pass walks the whole plan again and a young pass runs every
700 allocations. Freezing what exists once the plan is made (gc.freeze: the plan, the
application) keeps it out of every later pass; a higher first threshold lets most
short-lived objects die before a pass would promote them.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

YOUNG_THRESHOLD = 20_000  # allocations between young passes (CPython's default: 700)


@contextlib.contextmanager
def fewer_collections(young: int = YOUNG_THRESHOLD) -> Iterator[None]:
    """Within the block, what exists now is frozen out of collections and the young
    generation is collected every `young` allocations; the thresholds are put back after,
    and the heap unfrozen unless something was frozen before (a serving process's start-up
    heap, cso/runtime.py: gc cannot unfreeze part of it, so all of it stays frozen, and
    what the seed froze is then left to reference counting)."""
    thresholds = gc.get_threshold()
    frozen_before = gc.get_freeze_count() > 0
    gc.freeze()
    gc.set_threshold(young, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if not frozen_before:
            gc.unfreeze()
