"""The schema's root types, merged from the modules of each area, and its limits and caches."""

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
from strawberry.types import ExecutionContext

from cso.graphql.consistency import ReadYourWrites
from cso.graphql.errors import assign_code
from cso.graphql.mutations.enterprises import EnterpriseMutations
from cso.graphql.mutations.officers import OfficerMutations
from cso.graphql.mutations.projects import ProjectMutations
from cso.graphql.mutations.requests import RequestMutations
from cso.graphql.queries.audit import AuditQueries
from cso.graphql.queries.dashboard import DashboardQueries
from cso.graphql.queries.enterprises import EnterpriseQueries
from cso.graphql.queries.officers import OfficerQueries
from cso.graphql.queries.projects import ProjectQueries
from cso.graphql.queries.viewer import ViewerQueries
from cso.graphql.scalars import SCALAR_OVERRIDES
from cso.graphql.subscriptions import Subscription

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 4000


@strawberry.type
class Query(
    ViewerQueries,
    OfficerQueries,
    EnterpriseQueries,
    ProjectQueries,
    DashboardQueries,
    AuditQueries,
):
    pass


@strawberry.type
class Mutation(OfficerMutations, EnterpriseMutations, ProjectMutations, RequestMutations):
    pass


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
        mutation=Mutation,
        subscription=Subscription,
        scalar_overrides=SCALAR_OVERRIDES,
        extensions=[
            ReadYourWrites,
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
            lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        ],
    )
