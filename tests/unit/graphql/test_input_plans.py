"""Input objects built by plan (input_fields.convert_inputs_by_plan) equal strawberry's own."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.types.arguments import convert_argument
from strawberry.types.base import StrawberryList, StrawberryObjectDefinition, StrawberryOptional
from strawberry.types.unset import UNSET

from cso.graphql.schema import build_schema

SCHEMA = build_schema()
REGISTRY = SCHEMA.schema_converter.scalar_registry
INPUTS = sorted(
    (
        concrete.definition
        for concrete in SCHEMA.schema_converter.type_map.values()
        if isinstance(concrete.definition, StrawberryObjectDefinition)
        and concrete.definition.is_input
    ),
    key=lambda definition: definition.name,
)


def sample(type_: Any, how: str) -> Any:
    """A value graphql-core could hand over for `type_`: every field (`full`), optional ones
    null (`nulls`), or optional ones left out (`sparse`)."""
    if isinstance(type_, StrawberryOptional):
        return None if how == "nulls" else sample(type_.of_type, how)
    if isinstance(type_, StrawberryList):
        return [sample(type_.of_type, how), sample(type_.of_type, how)]
    definition = getattr(type_, "__strawberry_definition__", None)
    if isinstance(definition, StrawberryObjectDefinition):
        return value_of(definition, how)
    return f"leaf-{id(type_)}"  # leaves pass through unconverted: any value will do


def value_of(definition: StrawberryObjectDefinition, how: str) -> dict[str, Any]:
    value = {}
    for field in definition.fields:
        type_ = field.resolve_type(type_definition=definition)
        if how == "sparse" and isinstance(type_, StrawberryOptional):
            continue
        value[SCHEMA.config.name_converter.from_field(field)] = sample(type_, how)
    return value


def strawberrys(definition: StrawberryObjectDefinition, value: dict[str, Any]) -> Any:
    planned, definition.from_input = definition.from_input, None
    try:
        return convert_argument(value, definition.origin, REGISTRY, SCHEMA.config)
    finally:
        definition.from_input = planned


def test_every_input_type_of_the_schema_is_built_by_plan() -> None:
    assert INPUTS and all(definition.from_input is not None for definition in INPUTS)


@pytest.mark.parametrize("how", ["full", "nulls", "sparse"])
@pytest.mark.parametrize("definition", INPUTS, ids=lambda definition: definition.name)
def test_an_input_built_by_plan_equals_strawberrys(
    definition: StrawberryObjectDefinition, how: str
) -> None:
    value = value_of(definition, how)
    ours = convert_argument(value, definition.origin, REGISTRY, SCHEMA.config)
    assert ours == strawberrys(definition, value)


def test_a_list_is_copied_and_unset_stays_unset() -> None:
    definition = SCHEMA.get_type_by_name("SetServicePlanInput")
    assert isinstance(definition, StrawberryObjectDefinition)
    items = ["代办", "协调"]
    built = convert_argument(
        {"projectId": "p", "items": items, "reason": UNSET},
        definition.origin,
        REGISTRY,
        SCHEMA.config,
    )
    assert built.items == items and built.items is not items
    assert built.reason is UNSET
