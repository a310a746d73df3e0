"""Enum members are named from a table made once, exactly as Strawberry names them."""

from __future__ import annotations

import pytest
from graphql import GraphQLError
from strawberry.schema.schema_converter import CustomGraphQLEnumType

from cso.domain.enums import ProjectStage
from cso.graphql.schema import build_schema

SCHEMA = build_schema()


def _enum_types() -> list[CustomGraphQLEnumType]:
    types = SCHEMA._schema.type_map.values()
    return [t for t in types if isinstance(t, CustomGraphQLEnumType)]


def test_every_member_of_every_enum_is_named_as_strawberry_names_it() -> None:
    assert len(_enum_types()) > 5
    for enum_type in _enum_types():
        for member in enum_type.wrapped_cls:
            expected = CustomGraphQLEnumType.coerce_output_value(enum_type, member)
            assert enum_type.coerce_output_value(member) == expected


def test_a_raw_value_is_still_coerced_by_strawberry() -> None:
    stage = SCHEMA._schema.type_map["ProjectStage"]
    assert isinstance(stage, CustomGraphQLEnumType)
    assert stage.coerce_output_value(ProjectStage.SIGNED.value) == "SIGNED"


@pytest.mark.parametrize("value", ["NOT_A_STAGE", [1], 3])
def test_a_value_of_no_member_is_still_refused(value: object) -> None:
    stage = SCHEMA._schema.type_map["ProjectStage"]
    with pytest.raises(GraphQLError):
        stage.coerce_output_value(value)
