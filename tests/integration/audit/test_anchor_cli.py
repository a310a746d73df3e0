"""`cso anchor` prints a small document; `cso verify --anchor FILE` proves nothing recorded up
to it changed, names the streams that did, and ignores what was appended after it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson

from cso.audit.anchor import FORMAT
from cso.eventstore import EventStore
from tests.integration.audit.conftest import Cli, Tamper, append_streams

EDIT_DATA = "UPDATE events SET data = '{\"n\": 99}' WHERE stream_id = $1 AND version = $2"
REHASH = """UPDATE events SET hash = sha256(hash) WHERE stream_id = $1 AND version = $2"""


async def settled(store: EventStore) -> None:
    """Wait until the watermark (the oldest transaction open anywhere on the server, other
    test runs' included) has passed every event: an anchor is taken below it."""
    newest = await store.pool.fetchval("SELECT max(position) FROM events")
    async with asyncio.timeout(10):
        while (await store.head()).position < newest:
            await asyncio.sleep(0.05)


async def anchored(cli: Cli, store: EventStore, path: Path) -> dict[str, object]:
    await settled(store)
    result = await cli("anchor", "--output", str(path))
    assert result.exit_code == 0, result.output
    document: dict[str, object] = orjson.loads(await asyncio.to_thread(path.read_bytes))
    return document


async def test_an_anchor_is_small_and_the_log_verifies_against_it(
    log_store: EventStore, cli: Cli, tmp_path: Path
) -> None:
    await append_streams(log_store, streams=3, events=4)
    anchor = await anchored(cli, log_store, tmp_path / "anchor.json")
    assert anchor["format"] == FORMAT
    assert (anchor["streams"], anchor["events"]) == (3, 12)
    assert set(anchor) == {
        "format",
        "transaction_id",
        "position",
        "anchored_at",
        "streams",
        "events",
        "digest",
    }
    result = await cli("verify", "--anchor", str(tmp_path / "anchor.json"))
    assert result.exit_code == 0, result.output
    assert "nothing recorded up to it has changed" in result.output


async def test_events_appended_after_the_anchor_leave_it_verifying(
    log_store: EventStore, cli: Cli, tmp_path: Path, tamper: Tamper
) -> None:
    await append_streams(log_store, streams=2, events=2)
    await anchored(cli, log_store, tmp_path / "anchor.json")
    (later,) = await append_streams(log_store, streams=1, events=3)
    await tamper(EDIT_DATA, later, 2)  # after the anchor: not its business
    result = await cli("verify", "--anchor", str(tmp_path / "anchor.json"))
    assert result.exit_code == 0, result.output


async def test_a_change_made_after_the_anchor_to_an_event_before_it_is_caught_and_named(
    log_store: EventStore, cli: Cli, tmp_path: Path, tamper: Tamper
) -> None:
    edited, rehashed, untouched = await append_streams(log_store, streams=3, events=3)
    await anchored(cli, log_store, tmp_path / "anchor.json")
    await append_streams(log_store, streams=1, events=1)
    assert await tamper(EDIT_DATA, edited, 2) == "UPDATE 1"
    assert await tamper(REHASH, rehashed, 3) == "UPDATE 1"
    result = await cli("verify", "--anchor", str(tmp_path / "anchor.json"))
    assert result.exit_code == 1
    assert f"CHANGED {edited} (Test) at version 2" in result.output
    assert f"CHANGED {rehashed} (Test) at version 3" in result.output
    assert str(untouched) not in result.output
    assert "the heads' digest differs" in result.output


async def test_a_rewrite_that_keeps_every_chain_whole_still_fails_the_digest(
    log_store: EventStore, cli: Cli, tmp_path: Path, tamper: Tamper
) -> None:
    (stream,) = await append_streams(log_store, streams=1, events=3)
    await anchored(cli, log_store, tmp_path / "anchor.json")
    # Removing a stream's last event leaves a whole, shorter chain: only the digest knows.
    await tamper("DELETE FROM events WHERE stream_id = $1 AND version = 3", stream)
    result = await cli("verify", "--anchor", str(tmp_path / "anchor.json"))
    assert result.exit_code == 1
    assert "1 stream(s) and 3 event(s) at the anchor, 1 and 2 now" in result.output


async def test_a_file_that_is_not_an_anchor_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "not-an-anchor.json"
    await asyncio.to_thread(path.write_bytes, b'{"format": "something else"}')
    result = await cli("verify", "--anchor", str(path))
    assert result.exit_code == 2
    assert "cso-anchor/1" in result.output
