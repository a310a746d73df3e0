"""personalDataAccesses: who read whose personal data unmasked (auditors, supervisors)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from cso.graphql import fields
from cso.graphql.connections import Connection, list_connection
from cso.graphql.context import Context
from cso.graphql.keyset import Row
from cso.graphql.queries.audit import auditor
from cso.graphql.scalars import parse_optional_id, parse_optional_text, to_id
from cso.graphql.types.event import Actor
from cso.projections.personal_data import ACCESSES

ORDER = "POSITION:ASC"


@strawberry.type(description="A response that carried a person's data unmasked.")
class PersonalDataAccess:
    at: datetime
    actor: Actor
    subject_id: strawberry.ID
    subject_type: str
    fields: list[str] = strawberry.field(description="GraphQL names of the fields shown.")
    correlation_id: str | None


def access_from_row(row: Row) -> PersonalDataAccess:
    """The type's one mapper, from a read-model row (ACCESS_COLUMNS)."""
    return PersonalDataAccess(
        at=row["at"],
        actor=Actor(id=row["actor_id"], role=row["actor_role"], name=row["actor_name"]),
        subject_id=to_id(row["subject_id"]),
        subject_type=row["subject_type"],
        fields=list(row["fields"]),
        correlation_id=row["correlation_id"],
    )


@strawberry.input
class PersonalDataAccessFilter:
    subject_id: strawberry.ID | None = None
    actor_id: str | None = None
    from_: datetime | None = strawberry.field(default=None, name="from")
    to: datetime | None = None


@strawberry.type
class PersonalDataQueries:
    @fields.field("Unmasked reads of personal data, oldest first (auditors, supervisors).")
    async def personal_data_accesses(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter: PersonalDataAccessFilter | None = None,
    ) -> Connection[PersonalDataAccess]:
        auditor(info)
        f = filter or PersonalDataAccessFilter()
        params = [
            parse_optional_id(f.subject_id, "subjectId"),
            parse_optional_text(f.actor_id, "actorId"),
            f.from_,
            f.to,
        ]
        return await list_connection(
            info.context.db, ACCESSES, params, ORDER, first, after, access_from_row
        )
