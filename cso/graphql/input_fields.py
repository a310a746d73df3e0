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

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any

import strawberry
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
from strawberry.relay.types import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.arguments import InputContext, convert_argument
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryObjectDefinition,
    StrawberryOptional,
    StrawberryType,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.unset import UNSET

Converter = Callable[[object, InputContext, str], object]


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


def convert_inputs_by_plan(schema: strawberry.Schema) -> None:
    """Gives each input type of `schema` a `from_input` (strawberry's hook for input types
    that build their own value) following a plan made here, once: per field its GraphQL
    name, Python name and how its value converts. Leaf values (scalars, enums, already
    parsed by graphql-core) and lists of them are taken as they are (a list copied, as
    strawberry does); anything else goes through strawberry's own `convert_argument` with
    the field's type resolved once. The object built is the one strawberry would build:
    fields without a default start as None, then each field the input holds is set.
    Input types with a `Maybe` field are left to strawberry (its null check is skipped for
    types that build their own value).
    """
    registry = schema.schema_converter.scalar_registry
    name_of = schema.config.name_converter.from_field
    for concrete in schema.schema_converter.type_map.values():
        definition = concrete.definition
        if (
            isinstance(definition, StrawberryObjectDefinition)
            and definition.is_input
            and definition.from_input is None
        ):
            definition.from_input = _planned(definition, registry, name_of)


def _planned(
    definition: StrawberryObjectDefinition,
    registry: Mapping[object, Any],
    name_of: Callable[[Any], str],
) -> Callable[[type, Mapping[str, Any], InputContext], Any] | None:
    plan: list[tuple[str, str, Converter]] = []
    for field in definition.fields:
        type_ = field.resolve_type(type_definition=definition)
        if _has_maybe(type_):
            return None
        plan.append((name_of(field), field.python_name, _converter(type_, registry)))
    defaults: dict[str, object] = {
        field.python_name: None
        for field in definition.fields
        if field.default_value is MISSING and field.default_factory is MISSING
    }

    def from_input(cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
        kwargs = dict(defaults)
        for graphql_name, python_name, convert in plan:
            if graphql_name in value:
                kwargs[python_name] = convert(value[graphql_name], context, graphql_name)
        return cls(**kwargs)

    return from_input


def _has_maybe(type_: object) -> bool:
    while isinstance(type_, StrawberryOptional | StrawberryList):
        if isinstance(type_, StrawberryMaybe):
            return True
        type_ = type_.of_type
    return False


def _is_leaf(type_: Any, registry: Mapping[object, Any]) -> bool:
    """What strawberry passes through unconverted (GlobalID it decodes: not a leaf here)."""
    if type_ is GlobalID:
        return False
    return (
        isinstance(type_, StrawberryEnumDefinition)
        or has_enum_definition(type_)
        or is_scalar(type_, registry)
    )


def _converter(type_: StrawberryType | type, registry: Mapping[object, Any]) -> Converter:
    inner = type_.of_type if isinstance(type_, StrawberryOptional) else type_
    if _is_leaf(inner, registry):
        return _as_is
    if isinstance(inner, StrawberryList):
        item = inner.of_type
        if _is_leaf(item.of_type if isinstance(item, StrawberryOptional) else item, registry):
            return _copied_list

    def converted(value: object, context: InputContext, key: str) -> object:
        return convert_argument(
            value,
            type_,
            context.scalar_registry,
            context.config,
            context.info,
            path=(*context.path, key),
        )

    return converted


def _as_is(value: object, context: InputContext, key: str) -> object:
    return value


def _copied_list(value: object, context: InputContext, key: str) -> object:
    # graphql-core hands every request that omits a value the same default list: a copy
    # keeps one request's changes out of the next (as strawberry's own conversion does).
    if value is None or value is UNSET:
        return value
    return list(value)  # type: ignore[call-overload]
