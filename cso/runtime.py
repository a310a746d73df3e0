"""What the composition root builds once and hands to every request."""

from __future__ import annotations

import gc
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


# A serving process's collector: a young generation of 10,000 objects rather than 700. What a
# request allocates is mostly freed by reference counting; at the default threshold the
# collector still ran about three times per page of projects, scanning the request's live
# objects each time (10% of wall time there; 1% with these and the frozen start-up heap).
SERVING_GC_THRESHOLDS = (10_000, 50, 100)


def settle_heap(thresholds: tuple[int, int, int] = SERVING_GC_THRESHOLDS) -> None:
    """Call once a serving process has started: collects, moves every object alive now
    (modules, the schema, the pools) into the collector's permanent generation, which no
    collection scans again, and sets `thresholds` (gc.set_threshold's three counts)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)
