"""`make soak` for a minute (issue 12): a mixed load against a real server makes no error,
and the server's memory grows less than 10% after the warm-up."""

from __future__ import annotations

import asyncio

import pytest

from tests.soak import failures, report, soak

pytestmark = pytest.mark.slow

SECONDS = 60.0


def test_a_minute_of_mixed_load_makes_no_error_and_memory_grows_under_10_percent() -> None:
    figures = asyncio.run(soak(SECONDS))
    print(report(figures))
    assert failures(figures) == []
    # The load really ran: reads, writes and subscription events, with latencies measured.
    assert figures["requests"] > 100
    assert figures["writes"] > 10
    assert figures["subscription_events"] > 0
    assert 0 < figures["p50_ms"] <= figures["p99_ms"]
