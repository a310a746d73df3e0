"""What the composition root builds once and hands to every request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

import asyncpg

from cso.eventstore import EventStore, Listener, Repository
from cso.eventstore.fanout import Fanout
from cso.metrics import Metrics
from cso.services.application import Application
from cso.settings import Settings

if TYPE_CHECKING:
    from cso.projections.supervisor import ProjectionStatus


class Projections(Protocol):
    async def wait_for(self, token: str, timeout: float = 2.0) -> bool: ...

    async def status(self) -> Sequence[ProjectionStatus]: ...


@dataclass(slots=True)
class CatchUp:
    """Ready means the read models hold what the log held when this process started: the
    log's head then, and whether every projection has passed it (once true, it stays true)."""

    token: str | None = None  # the head's consistency token; None until the runtime opened
    reached: bool = False

    async def check(self, projections: Projections, timeout: float = 0.05) -> bool:
        """True once every projection has committed past the start's head (waiting at most
        `timeout` seconds for it now)."""
        if not self.reached and self.token is not None:
            self.reached = await projections.wait_for(self.token, timeout)
        return self.reached


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    database_url: str
    pool: asyncpg.Pool[Any]
    # Queries' snapshots (cso.graphql.snapshot) hold a connection of their own for the whole
    # query, and some resolvers still load aggregates through `pool`: from one shared pool,
    # enough concurrent queries would each hold one connection while waiting for another.
    read_pool: asyncpg.Pool[Any]
    store: EventStore
    repository: Repository
    listener: Listener
    application: Application
    projections: Projections
    fanout: Fanout  # the one log reader every subscription shares
    metrics: Metrics = field(default_factory=Metrics)
    catch_up: CatchUp = field(default_factory=CatchUp)

    def today(self) -> date:
        return local_today(ZoneInfo(self.settings.timezone))


def local_today(zone: ZoneInfo) -> date:
    """Today in the district's time zone: dates in rules and filters are local dates."""
    return datetime.now(zone).date()
