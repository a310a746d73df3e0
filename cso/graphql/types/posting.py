"""SecretaryPosting: a first secretary's posting to an enterprise, with its visits, party-
building guidance and term extensions. One mapper, from a read-model row or from the
aggregate put in the row's shape (time travel, and what is not projected yet); a replayed
posting reads its lists as of its version.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

import strawberry
from strawberry.types import Info

from cso.domain import secretary_posting as domain
from cso.graphql import fields
from cso.graphql.connections import Connection, connection
from cso.graphql.context import Context
from cso.graphql.cursors import Page, page_size
from cso.graphql.keyset import Row
from cso.graphql.loaders import batch_by_id, load_by_id, loader
from cso.graphql.scalars import to_id
from cso.graphql.types.chain import IndustryChain, load_chain
from cso.graphql.types.common import stamp_of, stamp_row, unprojected
from cso.graphql.types.enterprise import Enterprise, load_enterprise
from cso.graphql.types.enterprise_request import EnterpriseRequest, problems_of, request_at
from cso.graphql.types.event import Actor, Event, history
from cso.graphql.types.officer import Officer, load_officer
from cso.projections import postings as read_model


@strawberry.type(description="A visit to the enterprise, or party-building guidance given.")
class PostingRecord:
    id: strawberry.ID
    on: date
    summary: str
    recorded_at: datetime


def record_from_row(row: Row) -> PostingRecord:
    return PostingRecord(
        id=to_id(row["id"]),
        on=row["occurred_on"],
        summary=row["summary"],
        recorded_at=row["recorded_at"],
    )


@strawberry.type(description="A term extension: the end it moved, and to when.")
class TermExtension:
    previous_end: date
    term_end: date
    reason: str | None
    at: datetime
    actor: Actor | None = strawberry.field(
        description="Who extended it, as their token named them (a supervisor is no "
        "registered officer); null in rows projected before it was kept."
    )
    by_id: strawberry.Private[UUID | None]

    @fields.field("The supervisor who extended it, when the token named a registered officer.")
    async def by(self, info: Info[Context, None]) -> Officer | None:
        return await load_officer(info.context, self.by_id)


@strawberry.type(description="A first secretary (第一书记) posted to an SME for a term.")
class SecretaryPosting:
    id: strawberry.ID
    version: int
    created_at: datetime
    updated_at: datetime
    sending_unit: str = strawberry.field(description="The unit that sends the cadre (派出单位).")
    term_start: date
    term_end: date
    active: bool
    ended_on: date | None
    visit_count: int
    latest_visit_on: date | None
    guidance_count: int
    latest_guidance_on: date | None
    open_problems: int = strawberry.field(description="Problems logged and not yet solved.")
    officer_id: strawberry.Private[UUID]
    enterprise_id: strawberry.Private[UUID]
    chain_id: strawberry.Private[UUID | None]
    # A replayed posting's moment; None: a current posting (read the model).
    replayed_at: strawberry.Private[datetime | None] = None

    @fields.field("The first secretary.")
    async def officer(self, info: Info[Context, None]) -> Officer | None:
        return await load_officer(info.context, self.officer_id)

    @strawberry.field
    async def enterprise(self, info: Info[Context, None]) -> Enterprise | None:
        return await load_enterprise(info.context, self.enterprise_id)

    @fields.field("The enterprise's industry chain when the posting began.")
    async def chain(self, info: Info[Context, None]) -> IndustryChain | None:
        return await load_chain(info.context, self.chain_id)

    @fields.field("Visits to the enterprise, newest first (as of this version).")
    async def visits(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[PostingRecord]:
        return await self._records(info, read_model.VISIT, first, after)

    @fields.field("Party-building guidance given, newest first (as of this version).")
    async def guidance(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[PostingRecord]:
        return await self._records(info, read_model.GUIDANCE, first, after)

    @fields.field(
        "The enterprise's problems (急难愁盼) logged on it, oldest first: the same "
        "EnterpriseRequest objects as enterpriseRequests (a replayed posting's, each "
        "replayed to its moment)."
    )
    async def problems(self, info: Info[Context, None]) -> list[EnterpriseRequest]:
        current = await loader(info.context, problems_of).load(UUID(self.id))
        if self.replayed_at is None:
            return current
        replayed = [
            await request_at(info.context, UUID(r.id), version=None, as_of=self.replayed_at)
            for r in current
        ]
        return [r for r in replayed if r is not None]

    @fields.field("Term extensions, oldest first (as of this version).")
    async def extensions(self, info: Info[Context, None]) -> list[TermExtension]:
        rows = await read_model.extensions_of(info.context.db, UUID(self.id), self.version)
        return [
            TermExtension(
                previous_end=row["previous_end"],
                term_end=row["term_end"],
                reason=row["reason"],
                at=row["recorded_at"],
                actor=None
                if row["actor_id"] is None
                else Actor(id=row["actor_id"], role=row["actor_role"], name=row["actor_name"]),
                by_id=row["by_id"],
            )
            for row in rows
        ]

    @strawberry.field
    async def history(self, info: Info[Context, None]) -> list[Event]:
        return await history(info, self.id, self.version)

    async def _records(
        self, info: Info[Context, None], kind: str, first: int | None, after: str | None
    ) -> Connection[PostingRecord]:
        """A page of one kind of record as of this version; every posting of a list asks
        through one DataLoader, so the page costs one statement for them all, and the count
        is the posting's own (visitCount, guidanceCount)."""
        page = Page(page_size(first), NEWEST.after(after))
        start = (
            None if page.after is None else (cast(date, page.after[0]), cast(int, page.after[1]))
        )
        key = read_model.RecordsPage(UUID(self.id), kind, self.version, page.fetch, start)
        rows = await loader(info.context, records_pages).load(key)
        total = self.visit_count if kind == read_model.VISIT else self.guidance_count

        async def count() -> int:
            return total

        return connection(page, rows, NEWEST, record_from_row, count)


# The records' one ordering (cursors are RECORDS' own, newest first).
NEWEST = read_model.RECORDS.orderings[read_model.NEWEST_FIRST]


async def records_pages(context: Context, pages: list[read_model.RecordsPage]) -> list[list[Row]]:
    """Every requested page of records in one statement."""
    return [list(rows) for rows in await read_model.records_pages(context.db, pages)]


def posting_from_row(row: Row, replayed_at: datetime | None = None) -> SecretaryPosting:
    """The type's one mapper: from a read-model row (POSTING_COLUMNS) or `posting_row`;
    `replayed_at` is a replayed posting's moment."""
    return SecretaryPosting(
        **stamp_of(row),
        sending_unit=row["sending_unit"],
        term_start=row["term_start"],
        term_end=row["term_end"],
        active=row["active"],
        ended_on=row["ended_on"],
        visit_count=row["visit_count"],
        latest_visit_on=row["latest_visit_on"],
        guidance_count=row["guidance_count"],
        latest_guidance_on=row["latest_guidance_on"],
        open_problems=row["open_problems"],
        officer_id=row["officer_id"],
        enterprise_id=row["enterprise_id"],
        chain_id=row["chain_id"],
        replayed_at=replayed_at,
    )


def posting_row(posting: domain.SecretaryPosting) -> dict[str, Any]:
    """An aggregate in the read model's row shape, for the one mapper."""
    return {
        **stamp_row(posting),
        "officer_id": posting.officer_id,
        "enterprise_id": posting.enterprise_id,
        "chain_id": posting.chain_id,
        "sending_unit": posting.sending_unit,
        "term_start": posting.term_start,
        "term_end": posting.term_end,
        "active": posting.active,
        "ended_on": posting.ended_on,
        "visit_count": posting.visit_count,
        "latest_visit_on": posting.latest_visit_on,
        "guidance_count": posting.guidance_count,
        "latest_guidance_on": posting.latest_guidance_on,
        "open_problems": len(posting.open_request_ids),
    }


def posting_from_aggregate(posting: domain.SecretaryPosting) -> SecretaryPosting:
    return posting_from_row(posting_row(posting))


def posting_replayed(posting: domain.SecretaryPosting) -> SecretaryPosting:
    """A posting replayed to a version or a moment: its problems are replayed to it too."""
    return posting_from_row(posting_row(posting), replayed_at=posting.modified_on)


postings_by_id = batch_by_id(
    read_model.postings_by_ids,
    posting_from_row,
    unprojected(domain.SecretaryPosting, posting_from_aggregate),
)


async def load_posting(context: Context, posting_id: UUID | None) -> SecretaryPosting | None:
    return await load_by_id(context, postings_by_id, posting_id)
