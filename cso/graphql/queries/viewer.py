"""me."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.types.viewer import Viewer


@strawberry.type
class ViewerQueries:
    @fields.field("Who the bearer token says the caller is.")
    def me(self, info: Info[Context, None]) -> Viewer:
        viewer = info.context.viewer
        return Viewer(
            id=strawberry.ID(viewer.id), role=viewer.role.value, name=viewer.name, dept=viewer.dept
        )
