"""The schema's root types, merged from the modules of each area, and its limits and caches."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.schema.schema_converter import CustomGraphQLEnumType
from strawberry.types import ExecutionContext

from cso.graphql.consistency import ReadYourWrites
from cso.graphql.errors import assign_code
from cso.graphql.execution import planned_executor
from cso.graphql.input_fields import input_field_of
from cso.graphql.mutations.enterprises import EnterpriseMutations
from cso.graphql.mutations.housing import HousingMutations
from cso.graphql.mutations.officers import OfficerMutations
from cso.graphql.mutations.personal_data import PersonalDataMutations
from cso.graphql.mutations.postings import PostingMutations
from cso.graphql.mutations.projects import ProjectMutations
from cso.graphql.mutations.requests import RequestMutations
from cso.graphql.mutations.working_calendars import WorkingCalendarMutations
from cso.graphql.permissions import MutationPermissions
from cso.graphql.queries.audit import AuditQueries
from cso.graphql.queries.dashboard import DashboardQueries
from cso.graphql.queries.enterprises import EnterpriseQueries
from cso.graphql.queries.housing import HousingQueries
from cso.graphql.queries.officers import OfficerQueries
from cso.graphql.queries.personal_data import PersonalDataQueries
from cso.graphql.queries.postings import PostingQueries
from cso.graphql.queries.projects import ProjectQueries
from cso.graphql.queries.requests import RequestQueries
from cso.graphql.queries.viewer import ViewerQueries
from cso.graphql.queries.working_calendars import WorkingCalendarQueries
from cso.graphql.request_subscriptions import RequestSubscriptions
from cso.graphql.scalars import SCALAR_OVERRIDES
from cso.graphql.subscriptions import Subscription
from cso.limits import depth_limit_rules
from cso.metrics import OperationMetrics

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
    WorkingCalendarQueries,
    RequestQueries,
    HousingQueries,
    PersonalDataQueries,
    PostingQueries,
):
    pass


@strawberry.type
class Mutation(
    OfficerMutations,
    EnterpriseMutations,
    ProjectMutations,
    RequestMutations,
    WorkingCalendarMutations,
    HousingMutations,
    PostingMutations,
    PersonalDataMutations,
):
    pass


@strawberry.type(name="Subscription")
class Subscriptions(Subscription, RequestSubscriptions):
    pass


class CsoSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        correlation_id = getattr(
            execution_context and execution_context.context, "correlation_id", None
        )
        for error in errors:
            if execution_context is not None:
                self._name_input_field(error, execution_context)
            assign_code(error, correlation_id)

    def _name_input_field(self, error: GraphQLError, execution_context: ExecutionContext) -> None:
        """`extensions.field` for a value refused before any resolver ran (API.md)."""
        if (error.extensions or {}).get("field"):
            return
        field = input_field_of(
            self._schema, error, execution_context.graphql_document, execution_context.variables
        )
        if field is not None:
            error.extensions = {**(error.extensions or {}), "field": field}


def name_enum_members_by_lookup(schema: strawberry.Schema) -> None:
    """Each enum type answers a member's GraphQL name from a table made once.

    Strawberry's enum output walks the type's values comparing `.value`s (two Enum property
    lookups per value tried): about 270 such lookups for the 75 enum fields of a page of 20
    projects with their requests. Anything not in the table (a raw value, a foreign member)
    still goes through Strawberry's own coercion, which accepts or refuses it as before.
    """
    for graphql_type in schema._schema.type_map.values():
        if isinstance(graphql_type, CustomGraphQLEnumType):
            wrapped: Any = graphql_type.wrapped_cls
            members = {member.value: member for member in wrapped}
            table = {members[v.value]: name for name, v in graphql_type.values.items()}
            strawberry_coerce = graphql_type.coerce_output_value

            def coerce(value: Any, table: Any = table, fallback: Any = strawberry_coerce) -> Any:
                try:
                    return table[value]
                except (KeyError, TypeError):  # TypeError: an unhashable value
                    return fallback(value)

            graphql_type.coerce_output_value = coerce  # type: ignore[method-assign,assignment]


def build_schema() -> strawberry.Schema:
    # The limiters' rule classes are made once: ValidationCache keys on the rules, so rules
    # made anew per request (as the limiter extensions do) would never hit the cache.
    limits = [
        *depth_limit_rules(MAX_DEPTH),
        *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
    ]
    schema = CsoSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscriptions,
        scalar_overrides=SCALAR_OVERRIDES,
        execution_context_class=planned_executor(),
        extensions=[
            MutationPermissions,  # first: refuses before any input is validated or parsed
            ReadYourWrites,
            OperationMetrics,
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            lambda: AddValidationRules(limits),
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        ],
    )
    name_enum_members_by_lookup(schema)
    return schema
