"""`cso verify --file FILE`: check an export (cso.audit.export) with no database.

Each event line must hash to its `hash` from its `previous_hash`; within a stream the lines
must run version by version, each `previous_hash` the hash of the line before; positions must
grow; and the manifest, the last line, must name the same streams, counts and heads. So an
edited line fails its hash, a removed or reordered one breaks its stream's run (or the
positions), and lines cut from a stream's end disagree with the manifest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from cso.audit.export import FORMAT
from cso.audit.verify import StoredEvent
from cso.eventstore.hashing import event_hash


@dataclass(frozen=True, slots=True)
class Problem:
    line: int  # 1-based; the manifest's line for a disagreement with it
    message: str


@dataclass(slots=True)
class FileVerification:
    events: int = 0
    streams: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_line(self) -> int | None:
        return min((p.line for p in self.problems), default=None)


@dataclass(slots=True)
class _Run:
    first_version: int
    last_version: int
    head: str
    events: int = 1


def _event(doc: dict[str, Any]) -> tuple[int, StoredEvent, bytes]:
    """(position, the event, its previous hash) of an event line; KeyError, TypeError or
    ValueError when the line lacks or garbles a field."""
    event = StoredEvent(
        stream_id=UUID(doc["stream_id"]),
        stream_type=str(doc["stream_type"]),
        version=int(doc["version"]),
        type=str(doc["type"]),
        data=doc["data"],
        metadata=doc["metadata"],
        recorded_at=datetime.fromisoformat(doc["recorded_at"]),
        hash=bytes.fromhex(doc["hash"]),
    )
    return int(doc["position"]), event, bytes.fromhex(doc["previous_hash"])


def verify_export(lines: Iterable[bytes]) -> FileVerification:
    """Check an export's lines (as read from the file, newlines included or not)."""
    outcome = FileVerification()
    runs: dict[UUID, _Run] = {}
    last_position = 0
    manifest: tuple[int, dict[str, Any]] | None = None
    number = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        if manifest is not None:
            outcome.problems.append(Problem(number, "a line after the manifest"))
            continue
        try:
            doc = orjson.loads(raw)
            if "manifest" in doc:
                manifest = (number, doc["manifest"])
                continue
            position, event, previous = _event(doc)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            outcome.problems.append(Problem(number, f"not an event line ({exc})"))
            continue
        outcome.events += 1
        problem = _check_line(event, position, previous, runs.get(event.stream_id), last_position)
        if problem is not None:
            outcome.problems.append(Problem(number, problem))
        last_position = max(last_position, position)
        run = runs.get(event.stream_id)
        if run is None:
            runs[event.stream_id] = _Run(event.version, event.version, event.hash.hex())
        else:
            run.last_version, run.head, run.events = event.version, event.hash.hex(), run.events + 1
    outcome.streams = len(runs)
    if manifest is None:
        outcome.problems.append(Problem(number + 1, "no manifest line: the file was cut short"))
    else:
        outcome.problems += _against_manifest(manifest[0], manifest[1], runs, outcome.events)
    outcome.problems.sort(key=lambda p: p.line)
    return outcome


def _check_line(
    event: StoredEvent, position: int, previous: bytes, run: _Run | None, last_position: int
) -> str | None:
    where = f"stream {event.stream_id} version {event.version}"
    if position <= last_position:
        return f"{where}: position {position} after {last_position} (lines reordered)"
    if run is not None and event.version != run.last_version + 1:
        return (
            f"{where}: follows version {run.last_version} of its stream "
            "(a line was removed or reordered)"
        )
    if run is not None and previous.hex() != run.head:
        return f"{where}: its previous_hash is not the hash of the line before"
    if event_hash(previous, event) != event.hash:
        return f"{where}: its hash does not match its content (edited)"
    return None


def _against_manifest(
    line: int, manifest: dict[str, Any], runs: dict[UUID, _Run], events: int
) -> list[Problem]:
    if manifest.get("format") != FORMAT:
        return [Problem(line, f"the manifest is not {FORMAT}")]
    problems: list[Problem] = []
    if manifest.get("events") != events:
        problems.append(
            Problem(line, f"the manifest counts {manifest.get('events')} events, the file {events}")
        )
    listed: dict[str, Any] = manifest.get("streams") or {}
    for key, expected in listed.items():
        run = runs.get(UUID(key))
        if run is None:
            problems.append(Problem(line, f"stream {key}: in the manifest, not in the file"))
            continue
        got: dict[str, Any] = {"first_version": run.first_version, "events": run.events}
        got |= {"last_version": run.last_version, "head": run.head}
        if got != expected:
            problems.append(
                Problem(
                    line,
                    f"stream {key}: the manifest says versions {expected.get('first_version')}"
                    f"–{expected.get('last_version')} ending in {expected.get('head')}, the "
                    f"file has {run.first_version}–{run.last_version} ending in {run.head} "
                    "(lines removed or edited)",
                )
            )
    problems += [
        Problem(line, f"stream {key}: in the file, not in the manifest")
        for key in sorted(str(k) for k in runs)
        if key not in listed
    ]
    return problems
