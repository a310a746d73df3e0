"""Errors the event store raises; each carries what a caller needs to answer."""

from __future__ import annotations

from uuid import UUID

from cso.eventstore.records import AppendResult


class EventStoreError(Exception):
    pass


class ConcurrencyConflict(EventStoreError):
    """Another append reached the stream first: `current_version` is what it holds now."""

    def __init__(self, stream_id: UUID, expected_version: int, current_version: int) -> None:
        super().__init__(
            f"stream {stream_id} is at version {current_version}, not {expected_version}"
        )
        self.stream_id = stream_id
        self.expected_version = expected_version
        self.current_version = current_version


class ReservationTaken(EventStoreError):
    def __init__(self, scope: str, value: str) -> None:
        super().__init__(f"{scope} {value!r} is already taken")
        self.scope = scope
        self.value = value


class StreamNotFound(EventStoreError):
    def __init__(self, stream_id: UUID) -> None:
        super().__init__(f"no stream {stream_id}")
        self.stream_id = stream_id


class KeysTaken(EventStoreError):
    """A batch of several commands' appends was refused because concurrent requests had
    taken some of their idempotency keys: `earlier` holds those turns' first results (by
    their index in the batch); nothing of the batch was appended."""

    def __init__(self, earlier: dict[int, AppendResult]) -> None:
        super().__init__(f"{len(earlier)} idempotency key(s) of the batch were taken")
        self.earlier = earlier
