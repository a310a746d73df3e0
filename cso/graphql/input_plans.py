"""Input objects built by a plan made once per input type (strawberry's `from_input` hook).

Strawberry builds a resolver's input object by working out, on every request, each field's
type (`resolve_type`), GraphQL name and kind of value: about 0.2 ms of CPU for
recordService's input, as much as the rest of its argument handling together. The plan
does that work once, when the schema is built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any

import strawberry
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
