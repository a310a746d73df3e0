"""A projection: handlers, one per event class it cares about, each writing plain SQL."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from cso.eventstore import RecordedEvent

# (the runner's connection, inside the batch's transaction; the decoded domain event; the row)
# (asyncpg's classes are generic only to type checkers, hence the quotes.)
Handler: TypeAlias = "Callable[[asyncpg.Connection[Any], Any, RecordedEvent], Awaitable[None]]"


def event_class(aggregate: type[Aggregate], name: str) -> type:
    """`Project.MilestoneReached` by name: a typo fails at import, and mypy stays content
    (the domain's event classes are made by the `@event` decorator at run time)."""
    found = vars(aggregate).get(name)
    if not (isinstance(found, type) and issubclass(found, aggregate.Event)):
        raise LookupError(f"{aggregate.__name__} has no event class {name}")
    return found


def row_keys(recorded: RecordedEvent) -> tuple[UUID, int, datetime]:
    """What every update of an aggregate's row starts with: $1 id, $2 version, $3 updated_at.

    Updates carry `WHERE id = $1 AND version < $2`: an event is applied to a row once.
    """
    return recorded.stream_id, recorded.version, recorded.recorded_at


@dataclass
class Projection:
    """Handlers keyed by event topic; events without a handler pass by untouched.

    `name` keys the checkpoint and the advisory lock: renaming a projection rebuilds it.
    `tables` are the read-model tables it alone writes (made by its migrations), so that a
    rebuild or a replay check knows what to copy, empty and compare. `keyed` holds the
    statements declared with `keyed_by` (see cso.projections.batch).
    """

    name: str
    tables: tuple[str, ...] = ()
    handlers: dict[str, Handler] = field(default_factory=dict)
    keyed: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def keyed_by(self, *queries: str, on: tuple[int, ...] = (1,)) -> None:
        """Declare that each of `queries` reads and writes only rows named by its arguments
        at positions `on` (1-based), in the tables its text names: the batch writer may then
        run it before earlier statements that share none of those values in those tables. A
        statement that reads rows named otherwise (a count over a column, a join) must not
        be declared."""
        for query in queries:
            self.keyed[query] = on

    def scopes(self) -> dict[str, tuple[str, ...]]:
        """The tables of this projection each keyed statement names, by statement: a key
        value then orders only statements on the same table (a service's insert and a
        milestone's, both keyed on their project, need not wait for each other). Empty —
        every key orders every keyed statement, whatever its table — if some keyed
        statement names none of `tables` (a test projection's own tables, say)."""
        named = {
            query: tuple(t for t in self.tables if re.search(rf"\b{t}\b", query))
            for query in self.keyed
        }
        return named if all(named.values()) else {}

    def on(self, aggregate: type[Aggregate], *event_names: str) -> Callable[[Handler], Handler]:
        """Register the decorated handler for `aggregate`'s events named `event_names`."""
        topics = [get_topic(event_class(aggregate, name)) for name in event_names]

        def register(handler: Handler) -> Handler:
            for topic in topics:
                self._add(topic, handler)
            return handler

        return register

    def include(self, part: Projection) -> None:
        """Take over another module's handlers and tables (a projection split over modules)."""
        for topic, handler in part.handlers.items():
            self._add(topic, handler)
        self.tables += tuple(t for t in part.tables if t not in self.tables)
        self.keyed.update(part.keyed)

    def handles(self, event_type: str) -> bool:
        return event_type in self.handlers

    def _add(self, topic: str, handler: Handler) -> None:
        if topic in self.handlers:
            raise ValueError(f"projection {self.name} has two handlers for {topic}")
        self.handlers[topic] = handler
