"""A project's service records, newest first, as a connection.

A page of projects that each show their services costs one statement for all of them (a
DataLoader keyed by project and page); the count is the read model's `service_count`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import cast
from uuid import UUID

from cso.domain.enums import ServiceKind
from cso.graphql import sql
from cso.graphql.connections import Connection, connection
from cso.graphql.context import Context
from cso.graphql.cursors import Page, page_size
from cso.graphql.keyset import Column, Ordering, Row
from cso.graphql.loaders import loader
from cso.graphql.scalars import to_id
from cso.graphql.types.project_parts import ServiceRecord

NEWEST_FIRST = "OCCURRED_ON:DESC"

# A projected project's services, newest first; ties go by the event's place in the log.
PROJECTED = Ordering(
    "services:" + NEWEST_FIRST,
    (Column("s.occurred_on", "date"), Column("s.position", "bigint")),
    descending=True,
)

# A replayed project's services are in memory: the same order, keyed by their sequence.
IN_MEMORY = Ordering(
    "services@replay:" + NEWEST_FIRST,
    (Column("occurred_on", "date"), Column("seq", "bigint")),
    descending=True,
)


def _record_of(row: Row) -> ServiceRecord:
    return ServiceRecord(
        id=to_id(row["id"]),
        kind=ServiceKind[row["kind"]],
        summary=row["summary"],
        occurred_on=row["occurred_on"],
        officer_id=row["officer_id"],
    )


@dataclass(frozen=True, slots=True)
class ServicesPage:
    """One project's page of services to fetch: the DataLoader's key."""

    project_id: UUID
    fetch: int  # rows to fetch: the page size plus one
    after: tuple[date, int] | None  # the sort key (occurred_on, position) to start after


async def services_pages(context: Context, pages: list[ServicesPage]) -> list[list[Row]]:
    """Every requested page in one statement, each walking its project's timeline index."""
    rows = await context.db.fetch(
        sql.SERVICES_PAGES,
        [p.project_id for p in pages],
        [None if p.after is None else p.after[0] for p in pages],
        [None if p.after is None else p.after[1] for p in pages],
        [p.fetch for p in pages],
    )
    found: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        found[row["n"]].append(row)
    return [found.get(n, []) for n in range(1, len(pages) + 1)]


async def projected_services(
    context: Context, project_id: UUID, total: int, first: int | None, after: str | None
) -> Connection[ServiceRecord]:
    """A page of the project's services; `total` is the read model's own count of them."""
    page = Page(page_size(first), PROJECTED.after(after))
    start = None if page.after is None else (cast(date, page.after[0]), cast(int, page.after[1]))
    rows = await loader(context, services_pages).load(ServicesPage(project_id, page.fetch, start))

    async def count() -> int:
        return total

    return connection(page, rows, PROJECTED, _record_of, count)


def services_in_memory(
    services: list[ServiceRecord], first: int | None, after: str | None
) -> Connection[ServiceRecord]:
    page = Page(page_size(first), IN_MEMORY.after(after))
    rows: list[Row] = sorted(
        ({"k0": s.occurred_on, "k1": seq, "record": s} for seq, s in enumerate(services)),
        key=lambda row: (row["k0"], row["k1"]),
        reverse=True,
    )
    if page.after is not None:
        start = tuple(page.after)
        rows = [row for row in rows if (row["k0"], row["k1"]) < start]

    async def count() -> int:
        return len(services)

    return connection(page, rows[: page.fetch], IN_MEMORY, lambda row: row["record"], count)
