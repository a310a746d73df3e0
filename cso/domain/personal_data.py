"""The access log of personal data (DESIGN §6): who read whose data unmasked, which fields.

Each record is a stream of its own (one event), appended before the response that carries
the data leaves: the log is in the same tamper-evident store as everything else, and
recording never contends with another reader's record.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

# What a person's field reads once their key is destroyed.
ERASED = "[erased]"


class PersonalDataAccess(Aggregate):
    """One response's unmasked reads: `accesses` are dicts of subject_id, subject_type and
    fields (GraphQL names); the actor and correlation id are the append's metadata."""

    @staticmethod
    def create_id(*_: object, **__: object) -> UUID:
        return uuid4()

    @event("Recorded")
    def __init__(self, accesses: list[dict[str, object]]) -> None:
        self.count = len(accesses)

    @classmethod
    def record(cls, accesses: dict[tuple[UUID, str], set[str]]) -> PersonalDataAccess:
        """From {(subject id, subject type): fields}; fields sorted, for a stable record."""
        return cls(
            accesses=[
                {"subject_id": subject, "subject_type": kind, "fields": sorted(fields)}
                for (subject, kind), fields in accesses.items()
            ]
        )
