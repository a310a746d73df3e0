"""The GraphQL side of the policy: a caller who may never run a mutation is refused first.

A viewer sending a mutation with a malformed id must hear FORBIDDEN, not INVALID_INPUT:
the check runs once the document is parsed, before it is validated, before variables
are coerced and before any resolver parses its input.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from cso.graphql.context import Context
from cso.services import policy


def refuse_mutation_never_allowed(execution: ExecutionContext) -> None:
    """Raises Unauthenticated or Forbidden for a mutation the caller's role may never run;
    nothing for another operation. Call it once the document is parsed, before validation."""
    context = execution.context
    if execution.operation_type is OperationType.MUTATION and isinstance(context, Context):
        viewer = context.viewer  # UNAUTHENTICATED without a valid token
        document = execution.graphql_document
        if document is not None:
            for name in root_fields(document, execution.operation_name):
                policy.require_may_ever_run(viewer, name)
        else:
            policy.require_officer_or_supervisor(viewer)


def root_fields(document: DocumentNode, operation_name: str | None) -> list[str]:
    """The names of the root fields the operation selects, through its fragments.

    The document is not validated yet: unknown fragments are skipped, cycles cut.
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name is not None and o.name.value == operation_name)
    ]
    names: list[str] = []
    for operation in chosen[:1]:
        names.extend(_fields(operation.selection_set, fragments, set()))
    return names


def _fields(
    selections: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    seen: set[str],
) -> Iterator[str]:
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            if not selection.name.value.startswith("__"):  # introspection asks for no right
                yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                seen.add(name)
                yield from _fields(fragment.selection_set, fragments, seen)
