"""`cso export` writes NDJSON with hashes and a manifest; `cso verify --file` checks it with
no database, naming the first bad line when one was edited, removed or reordered."""

from __future__ import annotations

import asyncio
from pathlib import Path
from uuid import UUID

import orjson
import pytest

from cso.eventstore import EventStore
from tests.integration.audit.conftest import Cli, append_streams


async def exported(cli: Cli, path: Path, *args: str) -> list[bytes]:
    result = await cli("export", "--output", str(path), *args)
    assert result.exit_code == 0, result.output
    return (await asyncio.to_thread(path.read_bytes)).splitlines(keepends=True)


async def verify_file(cli: Cli, path: Path, lines: list[bytes]) -> tuple[int, str]:
    await asyncio.to_thread(path.write_bytes, b"".join(lines))
    result = await cli("verify", "--file", str(path))
    return result.exit_code, result.output


def stream_of(line: bytes) -> str:
    found: str = orjson.loads(line)["stream_id"]
    return found


async def test_an_export_verifies_offline_and_ends_in_its_manifest(
    log_store: EventStore, cli: Cli, tmp_path: Path
) -> None:
    ids = await append_streams(log_store, streams=3, events=4)
    lines = await exported(cli, tmp_path / "log.ndjson")
    assert len(lines) == 13
    events = [orjson.loads(line) for line in lines[:-1]]
    assert [e["position"] for e in events] == sorted(e["position"] for e in events)
    manifest = orjson.loads(lines[-1])["manifest"]
    assert manifest["events"] == 12
    assert set(manifest["streams"]) == {str(i) for i in ids}
    code, output = await verify_file(cli, tmp_path / "copy.ndjson", lines)
    assert code == 0, output
    assert "12 event(s) of 3 stream(s) checked; intact" in output


def _edit_data(line: bytes) -> bytes:
    doc = orjson.loads(line)
    doc["data"]["amount"] = "1250.00"
    return orjson.dumps(doc) + b"\n"


@pytest.mark.parametrize(
    ("how", "bad_line"),
    [
        ("edited", 5),
        ("removed", 4),  # line 5 moves up to 4, and follows version 1 of its stream
        ("reordered", 5),
    ],
)
async def test_an_edited_removed_or_reordered_line_is_named_and_fails(
    log_store: EventStore, cli: Cli, tmp_path: Path, how: str, bad_line: int
) -> None:
    await append_streams(log_store, streams=2, events=4)
    lines = await exported(cli, tmp_path / "log.ndjson")
    if how == "edited":
        lines[4] = _edit_data(lines[4])
    elif how == "removed":
        # Lines 3 and 5 are the same stream's versions 2 and 3 (streams alternate).
        assert stream_of(lines[2]) == stream_of(lines[4])
        del lines[2]
    else:
        lines[4], lines[6] = lines[6], lines[4]
    code, output = await verify_file(cli, tmp_path / "copy.ndjson", lines)
    assert code == 1
    assert output.splitlines()[0].startswith(f"line {bad_line}:"), output
    assert f"ALTERED from line {bad_line}" in output


async def test_lines_cut_from_a_streams_end_disagree_with_the_manifest(
    log_store: EventStore, cli: Cli, tmp_path: Path
) -> None:
    await append_streams(log_store, streams=2, events=3)
    lines = await exported(cli, tmp_path / "log.ndjson")
    last_of_stream = stream_of(lines[-2])
    code, output = await verify_file(cli, tmp_path / "copy.ndjson", [*lines[:-2], lines[-1]])
    assert code == 1
    assert f"line 6: stream {last_of_stream}: the manifest says versions 1–3" in output
    cut = await verify_file(cli, tmp_path / "cut.ndjson", lines[:-3])
    assert cut[0] == 1
    assert "no manifest line: the file was cut short" in cut[1]


async def test_one_stream_or_each_stream_since_a_moment_is_exported(
    log_store: EventStore, cli: Cli, tmp_path: Path
) -> None:
    first, _ = await append_streams(log_store, streams=2, events=3)
    one = await exported(cli, tmp_path / "one.ndjson", "--stream", str(first))
    assert {stream_of(line) for line in one[:-1]} == {str(first)}
    assert (await verify_file(cli, tmp_path / "one-copy.ndjson", one))[0] == 0

    history = await log_store.read_stream(first)
    since = history[1].recorded_at.isoformat()
    later = await exported(cli, tmp_path / "later.ndjson", "--since", since)
    versions = [orjson.loads(line)["version"] for line in later[:-1]]
    assert 1 not in versions and len(later) > 1
    assert orjson.loads(later[0])["previous_hash"] == history[0].hash.hex()
    assert UUID(stream_of(later[0])) in {first, _}
    assert (await verify_file(cli, tmp_path / "later-copy.ndjson", later))[0] == 0
