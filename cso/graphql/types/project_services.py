"""A project's service records, newest first, as a connection."""

from __future__ import annotations

from uuid import UUID

from cso.domain.enums import ServiceKind
from cso.graphql.connections import Connection, connection
from cso.graphql.context import Context
from cso.graphql.cursors import Page, page_size
from cso.graphql.keyset import Column, ListQuery, Ordering, PreparedList, Row
from cso.graphql.scalars import to_id
from cso.graphql.types.project_parts import ServiceRecord

NEWEST_FIRST = "OCCURRED_ON:DESC"

SERVICES = PreparedList(
    ListQuery(
        columns="s.id, s.kind, s.summary, s.occurred_on, s.officer_id",
        source="rm_services s",
        where="s.project_id = $1",
        params=1,
    ),
    {
        NEWEST_FIRST: Ordering(
            "services:" + NEWEST_FIRST,
            (Column("s.occurred_on", "date"), Column("s.position", "bigint")),
            descending=True,
        )
    },
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


async def projected_services(
    context: Context, project_id: UUID, first: int | None, after: str | None
) -> Connection[ServiceRecord]:
    pool = context.runtime.pool
    page, rows = await SERVICES.fetch(pool, [project_id], NEWEST_FIRST, first, after)

    async def count() -> int:
        return await SERVICES.count(pool, [project_id])

    return connection(page, rows, SERVICES.orderings[NEWEST_FIRST], _record_of, count)


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
