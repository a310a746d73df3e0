"""An event the codec cannot decode is kept, to fail when its turn comes; a read's events
are in commit order whatever order the server sent them in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from eventsourcing.persistence import MapperDeserialisationError
from eventsourcing.utils import get_topic

from cso.domain.enums import DOMAIN_ENUMS
from cso.domain.officer import Officer
from cso.eventstore import Checkpoint, Codec, RecordedEvent
from cso.projections.base import Projection, event_class
from cso.projections.reading import Undecodable, decode, read_log


def recorded(data: str) -> tuple[RecordedEvent, str]:
    event = RecordedEvent(
        position=1,
        transaction_id=1,
        stream_id=uuid.uuid4(),
        stream_type="Officer",
        version=1,
        type=get_topic(event_class(Officer, "Deactivated")),
        data={},
        metadata={},
        recorded_at=datetime(2026, 5, 10, tzinfo=UTC),
        hash=b"",
    )
    return event, data


def test_an_event_that_cannot_be_decoded_is_kept_as_undecodable_with_its_error() -> None:
    event, data = recorded('{"timestamp": {"_type_": "no_such_type", "_data_": 1}}')

    kept = decode(Codec(DOMAIN_ENUMS), event, data)

    assert isinstance(kept, Undecodable)
    assert isinstance(kept.error, MapperDeserialisationError)
    assert "no_such_type" in str(kept.error)


def test_a_decodable_event_comes_back_as_its_domain_event() -> None:
    event, data = recorded(
        '{"timestamp": {"_type_": "datetime_iso", "_data_": "2026-05-10T00:00:00+00:00"}}'
    )

    decoded = decode(Codec(DOMAIN_ENUMS), event, data)

    assert isinstance(decoded, event_class(Officer, "Deactivated"))
    assert decoded.originator_id == event.stream_id


class SendsRows:
    """A connection whose every fetch answers `rows`."""

    def __init__(self, rows: list[tuple[object, ...]]) -> None:
        self.rows = rows

    async def fetch(self, query: str, *args: object) -> list[tuple[object, ...]]:
        return list(self.rows)


async def test_a_read_puts_events_sent_out_of_commit_order_back_in_it() -> None:
    at = datetime(2026, 5, 10, tzinfo=UTC)
    topic = get_topic(event_class(Officer, "Deactivated"))

    def row(transaction_id: int, position: int) -> tuple[object, ...]:
        # SELECT_LOG_AFTER's columns; no data: an event of a type the projection skips.
        return (
            position,
            transaction_id,
            uuid.uuid4(),
            "Officer",
            1,
            topic,
            None,
            None,
            at,
            b"",
            True,
        )

    conn = SendsRows([row(7, 3), row(5, 9), row(7, 4)])

    read = await read_log(conn, Projection("test"), Codec(DOMAIN_ENUMS), Checkpoint(), 3)  # type: ignore[arg-type]

    assert [r.checkpoint for r in read.batch] == [
        Checkpoint(5, 9),
        Checkpoint(7, 3),
        Checkpoint(7, 4),
    ]
    assert read.full
