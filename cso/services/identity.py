"""Who is acting: the principal a bearer token names."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from cso.eventstore import Actor


class Role(enum.Enum):
    SUPERVISOR = "supervisor"
    OFFICER = "officer"
    AUDITOR = "auditor"
    VIEWER = "viewer"


@dataclass(frozen=True, slots=True)
class Principal:
    id: str
    role: Role
    name: str
    dept: str

    @property
    def actor(self) -> Actor:
        return Actor(id=self.id, role=self.role.value, name=self.name)

    @property
    def officer_id(self) -> uuid.UUID | None:
        """An officer's token names the Officer aggregate it acts as."""
        try:
            return uuid.UUID(self.id)
        except ValueError:
            return None
