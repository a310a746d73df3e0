"""dashboard."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from cso.graphql.context import Context
from cso.graphql.queries.common import reader
from cso.graphql.types.dashboard import Dashboard, dashboard_of
from cso.projections.dashboard import dashboard


@strawberry.type
class DashboardQueries:
    @strawberry.field
    async def dashboard(self, info: Info[Context, None]) -> Dashboard:
        reader(info)
        runtime = info.context.runtime
        return dashboard_of(await dashboard(info.context.db, runtime.today()))
