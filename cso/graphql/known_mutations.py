"""Known mutation documents executed past Strawberry's per-request pipeline.

`Schema.execute` costs every request an execution context, three extension instances and
their hooks in four phases (each a generator entered and left), a middleware manager, and
the merge of every extension's results — about a fifth of what the GraphQL layer adds to a
`recordService`. For a mutation whose document has parsed and validated cleanly before
(`CheckedDocuments`, by text), what those hooks do is known and cheap: the permission
check (`refuse_mutation_never_allowed`), nothing from ReadYourWrites (a query's), and
OperationMetrics' timing and counts. `KnownMutations.execute` does exactly that around
graphql-core's `execute` with the same executor, and builds Strawberry's ExecutionResult
as `Schema.execute` would (errors through the schema's `process_errors`, no extensions).

Anything unusual goes the normal way (`execute` answers None, having done nothing): a
text not yet validated, or with validation errors; a query or subscription; an operation
name that selects none; operation extensions other than a persisted query's hash; a caller
without a valid token, or whose role may never run the mutation (the normal path answers
UNAUTHENTICATED or FORBIDDEN with its metrics); a schema with directives or extensions
other than the three it was built for. The differential tests
(tests/integration/graphql/test_known_mutations.py) hold the two paths to the same bytes.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, execute
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from graphql.execution import MiddlewareManager
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import _coerce_error
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.utils.await_maybe import await_maybe
from strawberry.utils.operation import get_operation_type

from cso.graphql.context import Context
from cso.graphql.permissions import root_fields
from cso.metrics import operation_name, record_operation
from cso.services import policy
from cso.services.errors import Forbidden, Unauthenticated

KNOWN_ENTRIES = 512
# The only operation extension the fast path lets through: APQ's hash, already resolved by
# the view (persisted_queries.py); Strawberry's pipeline reads no other key of ours either,
# but an unknown one may be meant for an extension, so it goes the normal way.
PERSISTED_QUERY = "persistedQuery"


@dataclass(frozen=True)
class Known:
    """What a document's operation needs on every request, worked out once: its document,
    the operation's name as Strawberry passes it to graphql-core (the one sent, else the
    first operation's), the root fields the permission check names, and the metrics' name."""

    document: DocumentNode
    is_mutation: bool
    operation: str | None = None
    roots: tuple[str, ...] = ()
    name: str = ""


class KnownMutations:
    """Mutations of documents checked before, executed without Strawberry's extensions.

    `schema` is the Strawberry schema (its graphql-core schema, executor and
    `process_errors` are used); `parsed(text)` and `errors(text, document)` are the
    schema's CheckedDocuments' (the same caches the normal path fills).
    """

    def __init__(
        self,
        schema: Any,
        parsed: Callable[[str], DocumentNode],
        errors: Callable[[str, DocumentNode], list[GraphQLError]],
        max_entries: int = KNOWN_ENTRIES,
    ) -> None:
        self.schema = schema
        self.graphql_schema: GraphQLSchema = schema._schema
        self.parsed = parsed
        self.errors = errors
        self.max_entries = max_entries
        self._known: OrderedDict[tuple[str, str | None], Known] = OrderedDict()

    async def execute(
        self,
        text: str | None,
        variables: dict[str, Any] | None,
        operation: str | None,
        extensions: Mapping[str, Any] | None,
        context: Any,
    ) -> ExecutionResult | None:
        """The result `schema.execute` would give a POSTed mutation, or None (nothing done:
        execute it the normal way). Raises nothing the normal path would not."""
        if not text or "mutation" not in text or not isinstance(context, Context):
            return None
        if extensions and (len(extensions) > 1 or PERSISTED_QUERY not in extensions):
            return None
        known = self._lookup(text, operation)
        if known is None or not known.is_mutation or not self._may_run(context, known):
            return None
        started = time.perf_counter()
        result = await self._run(known, text, variables, operation, extensions, context)
        record_operation(
            context,
            time.perf_counter() - started,
            result.errors or (),
            None,
            OperationType.MUTATION.value,
            known.name,
        )
        return result

    def _lookup(self, text: str, operation: str | None) -> Known | None:
        key = (text, operation)
        known = self._known.get(key)
        if known is not None:
            self._known.move_to_end(key)
            return known
        known = self._learn(text, operation)
        # Only what parsed and validated is kept (as CheckedDocuments keeps only what
        # parses): texts the normal path refuses, however many, cost no memory here.
        if known is not None:
            self._known[key] = known
            if len(self._known) > self.max_entries:
                self._known.popitem(last=False)
        return known

    def _learn(self, text: str, operation: str | None) -> Known | None:
        """None when the document does not parse, validate or name an operation (the normal
        path answers each); else what its operation needs."""
        try:
            document = self.parsed(text)
        except GraphQLError:
            return None
        if self.errors(text, document):
            return None
        execution = self._execution_context(text, document, None, operation, None, None)
        try:
            kind = get_operation_type(document, execution.operation_name)
        except RuntimeError:
            return None
        if kind is not OperationType.MUTATION:
            return Known(document, is_mutation=False)
        chosen = execution.operation_name
        return Known(
            document, True, chosen, tuple(root_fields(document, chosen)), operation_name(execution)
        )

    @staticmethod
    def _may_run(context: Context, known: Known) -> bool:
        """refuse_mutation_never_allowed's check, answered rather than raised."""
        try:
            viewer = context.viewer  # no valid token, or an expired one, is refused here
            for name in known.roots:
                policy.require_may_ever_run(viewer, name)
        except (Unauthenticated, Forbidden):  # the normal path says so, with its code
            return False
        return True

    async def _run(
        self,
        known: Known,
        text: str,
        variables: dict[str, Any] | None,
        operation: str | None,
        extensions: Mapping[str, Any] | None,
        context: Context,
    ) -> ExecutionResult:
        schema = self.schema
        try:
            result = await await_maybe(
                execute(
                    self.graphql_schema,
                    known.document,
                    root_value=None,
                    middleware=MiddlewareManager(),
                    variable_values=variables,
                    operation_name=known.operation,
                    context_value=context,
                    is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
                    executor_class=schema.execution_context_class,
                    operation_extensions=extensions,
                )
            )
        except Exception as exc:  # as Schema.execute: a coded error, not a 500
            result = GraphQLExecutionResult(None, [_coerce_error(exc)])
        errors = result.errors
        if errors:
            execution = self._execution_context(
                text, known.document, variables, operation, extensions, context
            )
            execution.result = result
            schema.process_errors(errors, execution)
        return ExecutionResult(data=result.data, errors=errors, extensions={})

    def _execution_context(
        self,
        text: str,
        document: DocumentNode,
        variables: dict[str, Any] | None,
        operation: str | None,
        extensions: Mapping[str, Any] | None,
        context: Context | None,
    ) -> ExecutionContext:
        execution = ExecutionContext(
            query=text,
            schema=self.schema,
            allowed_operations={OperationType.QUERY, OperationType.MUTATION},
            context=context,
            root_value=None,
            variables=variables,
            provided_operation_name=operation,
            operation_extensions=extensions,  # type: ignore[arg-type]
        )
        execution.graphql_document = document
        return execution
