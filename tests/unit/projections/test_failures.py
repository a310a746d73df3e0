from __future__ import annotations

import uuid
from datetime import UTC, datetime

from cso.eventstore import RecordedEvent
from cso.projections.failures import FailureTracker, HandlerFailed


def event(transaction_id: int, position: int) -> RecordedEvent:
    return RecordedEvent(
        position=position,
        transaction_id=transaction_id,
        stream_id=uuid.uuid4(),
        stream_type="Officer",
        version=1,
        type="cso.domain.officer:Officer.Registered",
        data={},
        metadata={},
        recorded_at=datetime.now(UTC),
        hash=b"",
    )


def failure(recorded: RecordedEvent) -> HandlerFailed:
    try:
        try:
            raise KeyError("officer")
        except KeyError as exc:
            raise HandlerFailed("test", recorded) from exc
    except HandlerFailed as failed:
        return failed


BATCH = [event(10, 1), event(10, 2), event(11, 3), event(12, 4)]


def test_without_a_failure_the_batch_is_applied_whole() -> None:
    assert FailureTracker(0.5, 60).around_suspect(BATCH) == BATCH


def test_after_a_failure_the_events_before_it_go_first_then_the_failing_one_alone() -> None:
    tracker = FailureTracker(0.5, 60)
    tracker.failed(failure(BATCH[2]))

    assert tracker.around_suspect(BATCH) == BATCH[:2]
    assert tracker.around_suspect(BATCH[2:]) == [BATCH[2]]


def test_retries_of_one_event_back_off_exponentially_up_to_the_cap() -> None:
    tracker = FailureTracker(0.5, 3.0)
    delays = [tracker.failed(failure(BATCH[1])) for _ in range(5)]

    assert delays == [0.5, 1.0, 2.0, 3.0, 3.0]
    error = tracker.last_error
    assert error is not None
    assert (error.position, error.failures, error.message) == (2, 5, "KeyError: 'officer'")


def test_a_failure_on_another_event_starts_counting_again() -> None:
    tracker = FailureTracker(0.5, 60)
    tracker.failed(failure(BATCH[1]))
    tracker.failed(failure(BATCH[1]))

    assert tracker.failed(failure(BATCH[3])) == 0.5
    assert tracker.last_error is not None and tracker.last_error.failures == 1


def test_a_commit_past_the_failing_event_clears_the_error_and_one_before_it_does_not() -> None:
    tracker = FailureTracker(0.5, 60)
    tracker.failed(failure(BATCH[2]))

    assert tracker.committed(BATCH[1].checkpoint) is None
    assert tracker.last_error is not None
    passed = tracker.committed(BATCH[2].checkpoint)
    assert passed is not None and passed.position == 3
    assert tracker.last_error is None
    assert tracker.around_suspect(BATCH) == BATCH
