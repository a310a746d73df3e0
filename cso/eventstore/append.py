"""The arguments of one call to the database's append functions (migrations 0015, 0016)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from cso.eventstore.hashing import encoding_around_time
from cso.eventstore.records import Metadata, Reservation, Snapshot, StreamAppend

Clock = Callable[[], datetime]


def append_arguments(
    streams: Sequence[StreamAppend],
    metadatas: Sequence[Mapping[str, Any]],
    *,
    clock: Clock | None,
    notify: bool,
    reservations: Sequence[Reservation] = (),
    releases: Sequence[Reservation] = (),
    snapshots: Sequence[Snapshot] = (),
    key: str | None = None,
    outcome: Mapping[str, str] | None = None,
) -> tuple[list[Any], dict[UUID, int]]:
    """The positional arguments of sql.APPEND, and each stream's version after the append.

    `metadatas` has one entry per stream: an append's events share one, and appends of
    several callers that go as one statement (see batch.py) each bring their own.

    `clock` stamps each event in turn when given (the seed's simulated clock, tests); else
    the database stamps the append with its own clock. With `key`, the versions and
    `outcome` are kept under it (AppendResult.as_json; the function adds the checkpoint).
    A snapshot follows the last event of its stream. Raises ValueError for a stream
    without events.
    """
    ids: list[UUID] = []
    types_: list[str] = []
    versions: list[int] = []
    names: list[str] = []
    datas: list[str] = []
    heads: list[bytes] = []
    tails: list[bytes] = []
    metadata_texts: list[str] = []
    last_event: dict[UUID, int] = {}  # stream -> 1-based index of its last event
    reached: dict[UUID, int] = {}
    for stream, metadata in zip(streams, metadatas, strict=True):
        metadata_text = orjson.dumps(metadata).decode()
        if not stream.events:
            raise ValueError(f"an append to stream {stream.stream_id} needs events")
        version = stream.expected_version
        for event in stream.events:
            version += 1
            head, tail = encoding_around_time(
                stream.stream_id,
                stream.stream_type,
                version,
                event.type,
                orjson.loads(event.data),
                metadata,
            )
            ids.append(stream.stream_id)
            types_.append(stream.stream_type)
            versions.append(version)
            names.append(event.type)
            datas.append(event.data)
            heads.append(head)
            tails.append(tail)
            metadata_texts.append(metadata_text)
        last_event[stream.stream_id] = len(ids)
        reached[stream.stream_id] = version
    times = None if clock is None else [clock() for _ in ids]
    arguments = [
        ids,
        types_,
        versions,
        names,
        datas,
        heads,
        tails,
        times,
        metadata_texts,
        notify,
        [r.scope for r in reservations],
        [r.value for r in reservations],
        [r.stream_id for r in reservations],
        [r.scope for r in releases],
        [r.value for r in releases],
        [r.stream_id for r in releases],
        [last_event[s.stream_id] for s in snapshots],
        [s.type for s in snapshots],
        [s.state for s in snapshots],
        key,
        None if key is None else _kept(reached, outcome or {}),
    ]
    return arguments, reached


def single_event(
    streams: Sequence[StreamAppend],
    reservations: Sequence[Reservation],
    releases: Sequence[Reservation],
    snapshots: Sequence[Snapshot],
) -> bool:
    """Whether sql.APPEND_ONE can take the append: one event onto one stream, and nothing
    else but an idempotency key."""
    return (
        len(streams) == 1
        and len(streams[0].events) == 1
        and not (reservations or releases or snapshots)
    )


def one_event_arguments(
    stream: StreamAppend,
    metadata: Mapping[str, Any],
    *,
    clock: Clock | None,
    key: str | None,
    outcome: Mapping[str, str] | None,
) -> list[Any]:
    """The positional arguments of sql.APPEND_ONE[notify, key is not None] (see
    `append_arguments`)."""
    (event,) = stream.events
    version = stream.expected_version + 1
    head, tail = encoding_around_time(
        stream.stream_id,
        stream.stream_type,
        version,
        event.type,
        orjson.loads(event.data),
        metadata,
    )
    arguments = [
        stream.stream_id,
        stream.stream_type,
        version,
        event.type,
        event.data,
        head,
        tail,
        None if clock is None else clock(),
        orjson.dumps(metadata).decode(),
        stream.previous_hash,
    ]
    if key is not None:
        arguments += [key, _kept({stream.stream_id: version}, outcome or {})]
    return arguments


def _kept(versions: Mapping[UUID, int], outcome: Mapping[str, str]) -> str:
    """AppendResult.as_json less the checkpoint, which only the database knows."""
    kept = {"versions": {str(k): v for k, v in versions.items()}, "outcome": dict(outcome)}
    return orjson.dumps(kept).decode()


@dataclass(frozen=True, slots=True)
class Turn:
    """One command's part of a batch onto one stream (see `batch_arguments`): its events,
    appended after `stream.expected_version`, with its own metadata (as stored), its
    idempotency key and the answer kept with it, and a snapshot to store after its last
    event when its append crossed a snapshot interval."""

    stream: StreamAppend
    metadata: Metadata
    outcome: dict[str, str]
    snapshot: Snapshot | None = None


def batch_arguments(
    turns: Sequence[Turn], *, clock: Clock | None, notify: bool
) -> tuple[list[Any], list[int], list[int]]:
    """The positional arguments of sql.APPEND_BATCH for `turns` (consecutive, one stream:
    each turn's expected version is where the one before it ends), each turn's version after
    the append, and the 0-based index of each turn's last event in the statement's arrays.
    Raises ValueError for a turn without events."""
    metadatas = []
    for turn in turns:
        metadata = turn.metadata.as_json()
        if clock is not None:
            metadata["clock"] = "simulated"
        metadatas.append(metadata)
    arguments, _ = append_arguments(
        [turn.stream for turn in turns], metadatas, clock=clock, notify=notify
    )
    reached: list[int] = []
    last_events: list[int] = []
    count = 0
    for turn in turns:
        count += len(turn.stream.events)
        last_events.append(count - 1)
        reached.append(turn.stream.expected_version + len(turn.stream.events))
    snapshots = [(n, t.snapshot) for n, t in zip(last_events, turns, strict=True) if t.snapshot]
    keyed = [
        (t.metadata.idempotency_key, _kept({t.stream.stream_id: version}, t.outcome), n + 1)
        for t, version, n in zip(turns, reached, last_events, strict=True)
        if t.metadata.idempotency_key is not None
    ]
    arguments = [
        *arguments[:10],  # the events, their metadata, the clock and the NOTIFY
        [n + 1 for n, _ in snapshots],
        [s.type for _, s in snapshots],
        [s.state for _, s in snapshots],
        [key for key, _, _ in keyed],
        [result for _, result, _ in keyed],
        [event for _, _, event in keyed],
    ]
    return arguments, reached, last_events


@dataclass(frozen=True, slots=True)
class Entry:
    """One part of a bulk append (see `bulk_arguments`): events onto one stream with their
    own metadata (as stored) and recorded time."""

    stream: StreamAppend
    metadata: Mapping[str, Any]
    at: datetime


def bulk_arguments(
    entries: Sequence[Entry],
    *,
    reservations: Sequence[Reservation] = (),
    releases: Sequence[Reservation] = (),
    snapshots: Sequence[Snapshot] = (),
) -> tuple[list[Any], dict[UUID, int]]:
    """The positional arguments of sql.APPEND for `entries` in the order given, and each
    stream's version after the append. Entries onto one stream must be adjacent, each one's
    expected version where the one before ends (the append function chains an event onto
    the one before it in the statement only when that is its stream's); a snapshot follows
    its stream's last event. No idempotency key. Raises ValueError for an entry without
    events."""
    # Each event at its entry's time: append_arguments calls the clock once an event, in order.
    times = iter([entry.at for entry in entries for _ in entry.stream.events])
    arguments, reached = append_arguments(
        [entry.stream for entry in entries],
        [entry.metadata for entry in entries],
        clock=times.__next__,
        notify=True,
        reservations=reservations,
        releases=releases,
        snapshots=snapshots,
    )
    return arguments, reached
