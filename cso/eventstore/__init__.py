"""The event store on PostgreSQL through asyncpg (DESIGN §2)."""

from cso.eventstore.codec import Codec
from cso.eventstore.errors import ConcurrencyConflict, ReservationTaken, StreamNotFound
from cso.eventstore.hashing import Verification
from cso.eventstore.listener import Listener, follow
from cso.eventstore.records import (
    Actor,
    AppendResult,
    Checkpoint,
    Metadata,
    NewEvent,
    RecordedEvent,
    Reservation,
    StreamAppend,
)
from cso.eventstore.repository import Repository
from cso.eventstore.store import EventStore

__all__ = [
    "Actor",
    "AppendResult",
    "Checkpoint",
    "Codec",
    "ConcurrencyConflict",
    "EventStore",
    "Listener",
    "Metadata",
    "NewEvent",
    "RecordedEvent",
    "Repository",
    "Reservation",
    "ReservationTaken",
    "StreamAppend",
    "StreamNotFound",
    "Verification",
    "follow",
]
