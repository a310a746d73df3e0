"""The values the event store takes and gives back."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    role: str
    name: str


SYSTEM_ACTOR = Actor(id="00000000-0000-0000-0000-000000000000", role="system", name="system")


@dataclass(frozen=True, slots=True)
class Metadata:
    """Who caused an append and why; stored with every event of the append."""

    actor: Actor = SYSTEM_ACTOR
    correlation_id: str | None = None
    causation_id: str | None = None
    reason: str | None = None
    idempotency_key: str | None = None

    def as_json(self) -> dict[str, Any]:
        """As stored with every event (built by hand: `asdict` took a tenth of an append)."""
        actor = self.actor
        return {
            "actor": {"id": actor.id, "role": actor.role, "name": actor.name},
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "reason": self.reason,
            "idempotency_key": self.idempotency_key,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Metadata:
        actor = data.get("actor") or {}
        return cls(
            actor=Actor(
                id=str(actor.get("id", "")),
                role=str(actor.get("role", "")),
                name=str(actor.get("name", "")),
            ),
            correlation_id=data.get("correlation_id"),
            causation_id=data.get("causation_id"),
            reason=data.get("reason"),
            idempotency_key=data.get("idempotency_key"),
        )


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An encoded event ready to append; `data` is a JSON document as text.

    `recorded_at` is the domain event's own time; the store does not record it (recorded_at
    is the store's clock, else the database's: see EventStore)."""

    type: str
    data: str
    recorded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StreamAppend:
    """Events for one stream, appended after `expected_version` (0 for a new stream)."""

    stream_id: UUID
    stream_type: str
    expected_version: int
    events: list[NewEvent]
    # The hash of the event at expected_version, when the caller already has it.
    previous_hash: bytes | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A stream's state as of the last event appended with it (the store adds its version,
    hash and recorded_at, all the event's)."""

    stream_id: UUID
    type: str
    state: str


@dataclass(frozen=True, slots=True)
class Reservation:
    """A unique value (scope, value) owned by a stream, e.g. an enterprise's credit code."""

    scope: str
    value: str
    stream_id: UUID


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    position: int
    transaction_id: int
    stream_id: UUID
    stream_type: str
    version: int
    type: str
    data: dict[str, Any]
    metadata: dict[str, Any]
    recorded_at: datetime
    hash: bytes

    @property
    def checkpoint(self) -> Checkpoint:
        return Checkpoint(self.transaction_id, self.position)


class InvalidToken(ValueError):
    pass


@dataclass(frozen=True, slots=True, order=True)
class Checkpoint:
    """A place in the log's commit order: (transaction id, position)."""

    transaction_id: int = 0
    position: int = 0

    def token(self) -> str:
        raw = f"{self.transaction_id}:{self.position}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def from_token(cls, token: str) -> Checkpoint:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            transaction_id, position = (int(part) for part in raw.split(":"))
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise InvalidToken(f"not a consistency token: {token!r}") from exc
        if transaction_id < 0 or position < 0:
            raise InvalidToken(f"not a consistency token: {token!r}")
        return cls(transaction_id, position)


START = Checkpoint()


@dataclass(frozen=True, slots=True)
class AppendResult:
    checkpoint: Checkpoint
    versions: dict[UUID, int] = field(default_factory=dict)
    replayed: bool = False  # True when an idempotency key had been used before
    hashes: dict[UUID, bytes] = field(default_factory=dict)  # each stream's new last hash
    outcome: dict[str, str] = field(default_factory=dict)  # the caller's answer, kept with a key

    @property
    def token(self) -> str:
        return self.checkpoint.token()

    def as_json(self) -> dict[str, Any]:
        return {
            "transaction_id": self.checkpoint.transaction_id,
            "position": self.checkpoint.position,
            "versions": {str(k): v for k, v in self.versions.items()},
            "outcome": self.outcome,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], *, replayed: bool = True) -> AppendResult:
        return cls(
            checkpoint=Checkpoint(int(data["transaction_id"]), int(data["position"])),
            versions={UUID(k): int(v) for k, v in data["versions"].items()},
            replayed=replayed,
            outcome=dict(data.get("outcome") or {}),
        )
