"""Which argument or input field a request error is about, for `extensions.field` (API.md).

A value that fails its scalar (a bad Date, Decimal, DateTime, a float for an ID) is refused
by graphql-core before any resolver runs, and its error names no field: only the AST node
it was found at. For a literal in the document, that is the value node; the field is the
argument or input object field around it. For a variable, it is the variable's definition,
and the message carries the path inside the variable's value only as text; rather than
parse that text, the value is validated again with graphql-core's own `validate_input_value`,
which hands each error its path, and the error with the same message gives the path. A
path that ends at the variable itself names the argument or input field the variable is
passed to.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    Node,
    ObjectFieldNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    is_input_type,
    type_from_ast,
    validate_input_value,
    visit,
)


def input_field_of(
    schema: GraphQLSchema,
    error: GraphQLError,
    document: DocumentNode | None,
    variables: dict[str, Any] | None,
) -> str | None:
    """The name of the argument or input field `error` was raised at, if it was raised at a
    value (errors raised by resolvers point at fields, and get None)."""
    if document is None or not error.nodes:
        return None
    node = error.nodes[0]
    if isinstance(node, ObjectFieldNode):  # e.g. a field the input type does not have
        return node.name.value
    if isinstance(node, ValueNode):
        return _enclosing_name(_collect(document), node)
    if isinstance(node, VariableDefinitionNode):
        path = _path_in_variable(schema, error, node, variables)
        keys = [key for key in path if isinstance(key, str)]
        if keys:
            return keys[-1]
        return _usage_name(_collect(document), node.variable.name.value)
    return None


def _path_in_variable(
    schema: GraphQLSchema,
    error: GraphQLError,
    definition: VariableDefinitionNode,
    variables: dict[str, Any] | None,
) -> list[str | int]:
    name = definition.variable.name.value
    if variables is None or name not in variables:
        return []
    var_type = type_from_ast(schema, definition.type)
    if var_type is None or not is_input_type(var_type):
        return []
    found: list[tuple[str, list[str | int]]] = []
    validate_input_value(
        variables[name], var_type, lambda inner, path: found.append((inner.message, path))
    )
    wanted = error.original_error
    for message, path in found:
        if isinstance(wanted, GraphQLError) and message == wanted.message:
            return path
    return found[0][1] if len(found) == 1 else []


class _Collector(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.holders: list[ArgumentNode | ObjectFieldNode] = []
        self.variables: list[VariableNode] = []

    def enter_argument(self, node: ArgumentNode, *_: object) -> None:
        self.holders.append(node)

    def enter_object_field(self, node: ObjectFieldNode, *_: object) -> None:
        self.holders.append(node)

    def enter_variable(self, node: VariableNode, *_: object) -> None:
        self.variables.append(node)


def _collect(document: DocumentNode) -> _Collector:
    collector = _Collector()
    visit(document, collector)
    return collector


def _span(node: Node) -> tuple[int, int] | None:
    return None if node.loc is None else (node.loc.start, node.loc.end)


def _enclosing_name(found: _Collector, target: Node) -> str | None:
    """The innermost argument or input object field whose value holds `target`."""
    inner = _span(target)
    if inner is None:
        return None
    best: tuple[int, str] | None = None
    for holder in found.holders:
        outer = _span(holder.value)
        if outer is not None and outer[0] <= inner[0] and inner[1] <= outer[1]:
            width = outer[1] - outer[0]
            if best is None or width < best[0]:
                best = (width, holder.name.value)
    return None if best is None else best[1]


def _usage_name(found: _Collector, variable: str) -> str | None:
    """Where the operation first passes `$variable` (its definition holds it too, outside any
    argument, and so does not count)."""
    for node in found.variables:
        if node.name.value == variable and (name := _enclosing_name(found, node)) is not None:
            return name
    return None
