from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from cso.eventstore import RecordedEvent
from cso.graphql.request_subscriptions import changed_requests

TOPIC = "cso.domain.project:Project.{}"


def recorded(kind: str, data: dict[str, Any]) -> RecordedEvent:
    return RecordedEvent(
        position=1,
        transaction_id=1,
        stream_id=uuid.uuid4(),
        stream_type="Project",
        version=1,
        type=TOPIC.format(kind),
        data=data,
        metadata={},
        recorded_at=datetime(2026, 11, 20, tzinfo=UTC),
        hash=b"",
    )


def request_data(request_id: uuid.UUID) -> dict[str, Any]:
    return {"request_id": {"_type_": "uuid_hex", "_data_": request_id.hex}}


def test_a_batch_names_each_changed_request_once_in_the_order_last_changed() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    batch = [
        recorded("RequestRaised", request_data(first)),
        recorded("RequestRaised", request_data(second)),
        recorded("ServiceRecorded", {"service_id": {"_type_": "uuid_hex", "_data_": "0" * 32}}),
        recorded("RequestReferred", request_data(first)),
    ]
    assert changed_requests(batch) == [second, first]


def test_a_batch_without_request_events_changes_no_request() -> None:
    assert changed_requests([recorded("MilestoneReached", {"milestone": "SITE_SELECTED"})]) == []
