"""The schema's root types, merged from the modules of each area, and its limits and caches."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import strawberry
from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    parse,
    specified_rules,
)
from strawberry.extensions import MaxAliasesLimiter, SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.schema.schema_converter import CustomGraphQLEnumType
from strawberry.types import ExecutionContext

from cso.graphql.consistency import ReadYourWrites
from cso.graphql.errors import assign_code
from cso.graphql.execution import planned_executor
from cso.graphql.input_fields import input_field_of
from cso.graphql.input_plans import convert_inputs_by_plan
from cso.graphql.known_mutations import KnownMutations
from cso.graphql.mutations.enterprises import EnterpriseMutations
from cso.graphql.mutations.housing import HousingMutations
from cso.graphql.mutations.officers import OfficerMutations
from cso.graphql.mutations.personal_data import PersonalDataMutations
from cso.graphql.mutations.postings import PostingMutations
from cso.graphql.mutations.projects import ProjectMutations
from cso.graphql.mutations.requests import RequestMutations
from cso.graphql.mutations.working_calendars import WorkingCalendarMutations
from cso.graphql.permissions import refuse_mutation_never_allowed
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
DOCUMENTS_CACHED = 512


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
    # Set by build_schema once the schema exists: mutations of documents checked before,
    # executed without the extensions' per-request hooks (known_mutations.py).
    known_mutations: KnownMutations | None = None

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


class CheckedDocuments:
    """Documents parsed (at most `max_tokens` tokens) and validated against `rules`, each
    kept by its text, the `max_entries` most recently used.

    What strawberry's ParserCache, ValidationCache, AddValidationRules and MaxTokensLimiter
    did as four extensions, in one: each extension costs every request its hooks (about
    0.1 ms for the four), and ValidationCache keyed its cache on the parsed document, whose
    hash walks the whole tree on every request. A document that does not parse is not kept
    (it is parsed again, and refused again, each time).
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        rules: tuple[type[ASTValidationRule], ...],
        max_tokens: int,
        max_entries: int = DOCUMENTS_CACHED,
    ) -> None:
        self.schema = schema
        self.rules = rules
        self.max_entries = max_entries
        self.parsed: Any = lru_cache(maxsize=max_entries)(
            lambda text: parse(text, max_tokens=max_tokens)
        )
        self._errors: OrderedDict[str, list[GraphQLError]] = OrderedDict()

    def errors(self, text: str, document: DocumentNode) -> list[GraphQLError]:
        """The validation errors of `document`, the parse of `text` (empty when valid)."""
        errors = self._errors.get(text)
        if errors is None:
            errors = validate_document(self.schema, document, self.rules)
            self._errors[text] = errors
            if len(self._errors) > self.max_entries:
                self._errors.popitem(last=False)
        else:
            self._errors.move_to_end(text)
        return errors


class DocumentChecks(SchemaExtension):
    """Parses and validates through CheckedDocuments; between the two, refuses a mutation
    the caller's role may never run (before any input is validated or parsed: a viewer
    sending a mutation with a malformed id hears FORBIDDEN, not INVALID_INPUT)."""

    def __init__(self, documents: CheckedDocuments) -> None:
        self.documents = documents

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        if execution.graphql_document is None and execution.query:
            execution.graphql_document = self.documents.parsed(execution.query)
        yield

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        refuse_mutation_never_allowed(execution)
        if execution.query and execution.graphql_document is not None:
            execution.validation_rules = self.documents.rules
            execution.pre_execution_errors = self.documents.errors(
                execution.query, execution.graphql_document
            )
        yield


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


def build_schema() -> CsoSchema:
    """The API's schema, with its extensions: the document checks (CheckedDocuments: parse,
    the mutation permission check, validation with the depth and alias limits), read your
    writes for queries, and the operation metrics; known mutation documents run without
    the extensions' hooks (`known_mutations`), doing what they would."""
    rules = (
        *specified_rules,
        *depth_limit_rules(MAX_DEPTH),
        *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
    )
    checked: list[CheckedDocuments] = []  # made once the schema exists, shared by requests
    schema = CsoSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscriptions,
        scalar_overrides=SCALAR_OVERRIDES,
        execution_context_class=planned_executor(),
        extensions=[
            lambda: DocumentChecks(checked[0]),
            ReadYourWrites,
            OperationMetrics,
        ],
    )
    checked.append(CheckedDocuments(schema._schema, rules, MAX_TOKENS))
    if not schema.directives:  # a directive would add Strawberry's DirectivesExtension
        schema.known_mutations = KnownMutations(schema, checked[0].parsed, checked[0].errors)
    name_enum_members_by_lookup(schema)
    convert_inputs_by_plan(schema)
    return schema
