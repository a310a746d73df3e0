"""A project's service records, newest first, as a connection.

A page of projects that each show their services costs one statement for all of them (a
DataLoader keyed by project, version and page); the count is the project's `service_count`.
A replayed project reads the same rows, up to the version it was replayed to.
"""

from __future__ import annotations

from datetime import date
from typing import cast
from uuid import UUID

from cso.graphql.connections import Connection, connection
from cso.graphql.context import Context
from cso.graphql.cursors import Page, page_size
from cso.graphql.keyset import Column, Ordering, Row
from cso.graphql.loaders import loader
from cso.graphql.types.project_parts import ServiceRecord, service_of
from cso.projections import project_queries as read_model
from cso.projections.project_queries import ServicesPage

NEWEST_FIRST = "OCCURRED_ON:DESC"

# A project's services, newest first; ties go by the event's place in the log.
PROJECTED = Ordering(
    "services:" + NEWEST_FIRST,
    (Column("s.occurred_on", "date"), Column("s.position", "bigint")),
    descending=True,
)


async def services_pages(context: Context, pages: list[ServicesPage]) -> list[list[Row]]:
    """Every requested page in one statement, each walking its project's timeline index."""
    found = await read_model.services_pages(context.db, pages)
    return [list(rows) for rows in found]


async def projected_services(
    context: Context,
    project_id: UUID,
    version: int,
    total: int,
    first: int | None,
    after: str | None,
) -> Connection[ServiceRecord]:
    """A page of the project's services as of `version`; `total` is its count of them then."""
    page = Page(page_size(first), PROJECTED.after(after))
    start = None if page.after is None else (cast(date, page.after[0]), cast(int, page.after[1]))
    rows = await loader(context, services_pages).load(
        ServicesPage(project_id, version, page.fetch, start)
    )

    async def count() -> int:
        return total

    return connection(page, rows, PROJECTED, service_of, count)
