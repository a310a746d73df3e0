"""project (now, or replayed to a moment or version), projects."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from cso.domain.project import Project as ProjectAggregate
from cso.graphql import fields, sql
from cso.graphql.connections import Connection, connection
from cso.graphql.context import Context
from cso.graphql.enums import ProjectOrderField, ProjectStage, SortDirection
from cso.graphql.keyset import Column, ListQuery, PreparedList, orderings
from cso.graphql.loaders import loader
from cso.graphql.queries.common import ordering_name, reader, search_pattern
from cso.graphql.scalars import parse_id, parse_optional_id, parse_optional_text
from cso.graphql.types.common import view_aggregate
from cso.graphql.types.project import (
    Project,
    project_from_aggregate,
    project_from_row,
    projects_by_id,
)
from cso.services.errors import InvalidInput

# overdue ($6) against today ($7) is written so that, once $6 is known, overdue=true is a
# plain `next_due_on < today` that rm_projects_next_due answers (a comparison wrapped in
# coalesce() could use no index).
PROJECTS = PreparedList(
    ListQuery(
        columns=sql.PROJECT_COLUMNS,
        source="rm_projects p",
        where="""($1::text IS NULL OR p.stage = $1::text)
          AND ($2::uuid IS NULL OR p.cso_id = $2::uuid)
          AND ($3::uuid IS NULL OR p.enterprise_id = $3::uuid)
          AND ($4::uuid IS NULL OR p.chain_id = $4::uuid)
          AND ($5::text IS NULL OR p.district = $5::text)
          AND ($6::boolean IS NULL
               OR ($6::boolean AND p.next_due_on < $7::date)
               OR (NOT $6::boolean AND (p.next_due_on IS NULL OR p.next_due_on >= $7::date)))
          AND ($8::text IS NULL OR p.name ILIKE $8::text OR EXISTS (
                SELECT 1 FROM rm_enterprises e
                WHERE e.id = p.enterprise_id AND e.name ILIKE $8::text))""",
        params=8,
    ),
    orderings(
        "projects",
        {
            "CREATED_AT": Column("p.created_at", "timestamptz"),
            "UPDATED_AT": Column("p.updated_at", "timestamptz"),
            "NAME": Column("p.name", "text"),
            "SIGNED_ON": Column("p.signed_on", "date"),
            "INVESTMENT": Column("p.investment", "numeric"),
        },
        Column("p.id", "uuid"),
    ),
)


@strawberry.input
class ProjectFilter:
    stage: ProjectStage | None = None
    cso_id: strawberry.ID | None = None
    enterprise_id: strawberry.ID | None = None
    chain_id: strawberry.ID | None = None
    district: str | None = strawberry.field(default=None, description="The enterprise's.")
    overdue: bool | None = strawberry.field(
        default=None, description="With (true) or without (false) an overdue request."
    )
    search: str | None = strawberry.field(
        default=None, description="Part of the project's or the enterprise's name."
    )


@strawberry.input(description="Sort by a field, then by id.")
class ProjectOrder:
    field: ProjectOrderField = ProjectOrderField.CREATED_AT
    direction: SortDirection = SortDirection.ASC


@strawberry.type
class ProjectQueries:
    @fields.field("The project now; with asOf and/or version, replayed to that point.")
    async def project(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        as_of: datetime | None = None,
        version: int | None = None,
    ) -> Project | None:
        reader(info)
        project_id = parse_id(id, "id")
        if as_of is None and version is None:
            return await loader(info.context, projects_by_id).load(project_id)
        if version is not None and version < 1:
            raise InvalidInput(f"version counts from 1, not {version}", "version")
        return await view_aggregate(
            info.context,
            project_id,
            ProjectAggregate,
            project_from_aggregate,
            version=version,
            as_of=as_of,
        )

    @strawberry.field
    async def projects(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter: ProjectFilter | None = None,
        order_by: ProjectOrder | None = None,
    ) -> Connection[Project]:
        reader(info)
        context = info.context
        f = filter or ProjectFilter()
        params = [
            f.stage.value if f.stage else None,
            parse_optional_id(f.cso_id, "csoId"),
            parse_optional_id(f.enterprise_id, "enterpriseId"),
            parse_optional_id(f.chain_id, "chainId"),
            parse_optional_text(f.district, "district"),
            f.overdue,
            context.runtime.today(),
            search_pattern(parse_optional_text(f.search, "search")),
        ]
        order = order_by or ProjectOrder()
        name = ordering_name(order.field.value, order.direction)
        pool = context.db
        page, rows = await PROJECTS.fetch(pool, params, name, first, after)

        async def count() -> int:
            return await PROJECTS.count(pool, params)

        return connection(page, rows, PROJECTS.orderings[name], project_from_row, count)
