"""`cso verify`: every stream's chain (or one's), exit status 1 and the first bad version of
each stream that was altered behind the triggers' back."""

from __future__ import annotations

from cso.eventstore import EventStore
from tests.integration.audit.conftest import Cli, Tamper, append_streams

EDIT_DATA = "UPDATE events SET data = '{\"n\": 99}' WHERE stream_id = $1 AND version = $2"
EDIT_TYPE = "UPDATE events SET type = 'test:Other' WHERE stream_id = $1 AND version = $2"


async def test_an_untouched_log_verifies_and_exits_zero(log_store: EventStore, cli: Cli) -> None:
    await append_streams(log_store, streams=3, events=4)
    result = await cli("verify")
    assert result.exit_code == 0, result.output
    assert "3 stream(s), 12 event(s) checked; all intact" in result.output


async def test_each_altered_stream_is_named_with_its_first_bad_version(
    log_store: EventStore, cli: Cli, tamper: Tamper
) -> None:
    first, second, untouched = await append_streams(log_store, streams=3, events=5)
    await tamper(
        "UPDATE events SET data = '{\"n\": 99}' WHERE stream_id = $1 AND version = 3", first
    )
    await tamper("DELETE FROM events WHERE stream_id = $1 AND version = 2", second)
    result = await cli("verify")
    assert result.exit_code == 1
    assert f"ALTERED {first} (Test) at version 3" in result.output
    assert f"ALTERED {second} (Test) at version 2" in result.output
    assert str(untouched) not in result.output
    assert "2 ALTERED" in result.output


async def test_one_stream_is_verified_alone_and_an_unknown_one_fails(
    log_store: EventStore, cli: Cli, tamper: Tamper
) -> None:
    altered, intact = await append_streams(log_store, streams=2, events=3)
    await tamper(
        "UPDATE events SET type = 'test:Other' WHERE stream_id = $1 AND version = 1", altered
    )
    assert (await cli("verify", str(intact))).exit_code == 0
    failed = await cli("verify", str(altered))
    assert failed.exit_code == 1
    assert f"ALTERED {altered} (Test) at version 1" in failed.output
    unknown = await cli("verify", "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11")
    assert unknown.exit_code == 1
    assert "no stream" in unknown.output
    assert (await cli("verify", "not-a-uuid")).exit_code == 2
