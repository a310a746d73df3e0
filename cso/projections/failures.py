"""What the runner knows about a failing handler, and how it retries it.

A poison event (one whose handler always fails) is never skipped: the runner commits the
events before it, then retries it alone with exponential backoff until a fixed handler
passes it. Meanwhile `last_error` says which event, what failed, how often and since when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from cso.eventstore import Checkpoint, RecordedEvent


class HandlerFailed(Exception):
    """A handler raised (the cause); its batch rolled back."""

    def __init__(self, projection: str, recorded: RecordedEvent) -> None:
        super().__init__(
            f"projection {projection}: the {recorded.type} handler failed on event "
            f"{recorded.position} (stream {recorded.stream_id} version {recorded.version})"
        )
        self.recorded = recorded

    @property
    def reason(self) -> str:
        cause = self.__cause__
        return f"{type(cause).__name__}: {cause}" if cause is not None else str(self)


class CheckpointMoved(Exception):
    """Someone else moved the checkpoint; the batch rolled back and the runner re-reads it."""


@dataclass(frozen=True, slots=True)
class ProjectionError:
    """The failure holding a projection back, on the event at `position`."""

    position: int
    event_type: str
    stream_id: UUID
    version: int
    message: str
    failures: int  # consecutive failures on this event
    since: datetime  # the first of them


class FailureTracker:
    def __init__(self, retry_interval: float, max_backoff: float) -> None:
        self.retry_interval = retry_interval
        self.max_backoff = max_backoff
        self.last_error: ProjectionError | None = None
        self._suspect: Checkpoint | None = None

    def around_suspect(self, batch: list[RecordedEvent]) -> list[RecordedEvent]:
        """After a failure: the events before the failing one, else the failing one alone."""
        if self._suspect is None:
            return batch
        for index, recorded in enumerate(batch):
            if recorded.checkpoint == self._suspect:
                return batch[: index or 1]
        return batch

    def committed(self, checkpoint: Checkpoint) -> ProjectionError | None:
        """Forget a failure the committed checkpoint has passed; return it."""
        if self._suspect is None or checkpoint < self._suspect:
            return None
        passed, self.last_error, self._suspect = self.last_error, None, None
        return passed

    def failed(self, failure: HandlerFailed) -> float:
        """Remember the failure; return how long to wait before the next attempt."""
        recorded = failure.recorded
        earlier = self.last_error
        if earlier is None or self._suspect != recorded.checkpoint:
            count, since = 1, datetime.now(UTC)
        else:
            count, since = earlier.failures + 1, earlier.since
        self._suspect = recorded.checkpoint
        self.last_error = ProjectionError(
            position=recorded.position,
            event_type=recorded.type,
            stream_id=recorded.stream_id,
            version=recorded.version,
            message=failure.reason,
            failures=count,
            since=since,
        )
        return min(self.retry_interval * 2.0 ** min(count - 1, 20), self.max_backoff)
