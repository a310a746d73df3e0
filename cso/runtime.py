"""What the composition root builds once and hands to every request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from cso.eventstore import EventStore, Listener, Repository
from cso.settings import Settings


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    database_url: str
    pool: asyncpg.Pool[Any]
    store: EventStore
    repository: Repository
    listener: Listener
