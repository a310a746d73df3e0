"""project (now, or replayed to a moment or version), projects."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry.types import Info

from cso.graphql import fields
from cso.graphql.connections import Connection, list_connection
from cso.graphql.context import Context
from cso.graphql.enums import ProjectOrderField, ProjectStage, SortDirection
from cso.graphql.queries.common import now_or_replayed, ordering_name, reader, search_pattern
from cso.graphql.scalars import parse_optional_id, parse_optional_text
from cso.graphql.types.project import Project, project_at, projects_by_id
from cso.graphql.types.project_page import Companions, node_fields
from cso.projections.project_queries import PROJECTS


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


async def _project_at(
    context: Context, key: UUID, version: int | None, as_of: datetime | None
) -> Project | None:
    return await project_at(context, key, version=version, as_of=as_of)


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
        return await now_or_replayed(info, id, projects_by_id, _project_at, as_of, version)

    @fields.reads_once()
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
        companions = Companions(node_fields(info))
        page = await list_connection(
            context.db, PROJECTS, params, name, first, after, companions.node, companions.flags
        )
        await companions.complete(context)
        return page
