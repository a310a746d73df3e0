"""The schema's root types."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.types import ExecutionContext, Info

from cso.graphql.context import Context
from cso.graphql.errors import assign_code

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 4000


@strawberry.type
class Viewer:
    id: strawberry.ID
    role: str
    name: str
    dept: str


@strawberry.type
class Query:
    @strawberry.field(description="Who the bearer token says the caller is.")
    def me(self, info: Info[Context, None]) -> Viewer:
        viewer = info.context.viewer
        return Viewer(
            id=strawberry.ID(viewer.id), role=viewer.role.value, name=viewer.name, dept=viewer.dept
        )


class CsoSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        correlation_id = getattr(
            execution_context and execution_context.context, "correlation_id", None
        )
        for error in errors:
            assign_code(error, correlation_id)


def build_schema() -> strawberry.Schema:
    return CsoSchema(
        query=Query,
        extensions=[
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
            lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        ],
    )
