"""Compiled plans: what they complete, and what they leave to graphql-core's own path, which
then answers (errors included) exactly as without plans."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import strawberry
from strawberry.extensions import ParserCache, SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from cso.graphql import fields
from cso.graphql.execution import PlanCache, PlannedExecutor, planned_executor


@strawberry.type
class Leaf:
    name: str
    size: int | None


@strawberry.type
class Other:
    code: str


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Person(Named):
    age: int


@strawberry.type
class Item:
    id: strawberry.ID
    name: str
    count: int
    leaves: list[Leaf]
    maybe: Leaf | None
    in_hand: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)

    @fields.in_hand_field(Other | None)
    def other(self) -> Other | None:
        if "other" in self.in_hand:
            found: Other | None = self.in_hand["other"]
            return found
        return Other(code="loaded")

    @strawberry.field
    def broken(self) -> str:
        raise ValueError("the resolver failed")

    @strawberry.field
    def named(self) -> Named:
        return Person(name="p", age=3)


def _items() -> list[Item]:
    return [
        Item(
            id=strawberry.ID("1"), name="one", count=1, leaves=[Leaf(name="a", size=1)], maybe=None
        ),
        Item(
            id=strawberry.ID("2"), name="two", count=2, leaves=[], maybe=Leaf(name="b", size=None)
        ),
    ]


def _schemas(items: list[Item]) -> tuple[strawberry.Schema, strawberry.Schema]:
    @strawberry.type
    class Query:
        @strawberry.field
        def items(self) -> list[Item] | None:
            return items

        @strawberry.field
        def item(self) -> Item | None:
            return items[0]

    # ParserCache: the same document object for the same query, as in the app.
    planned = strawberry.Schema(
        query=Query,
        types=[Person],
        execution_context_class=planned_executor(8),
        extensions=[lambda: ParserCache(maxsize=16)],
    )
    standard = strawberry.Schema(
        query=Query, types=[Person], execution_context_class=StrawberryGraphQLCoreExecutionContext
    )
    return planned, standard


def _answer(schema: strawberry.Schema, query: str) -> tuple[str, Any]:
    result = schema.execute_sync(query)
    errors = [error.formatted for error in result.errors or []]
    return json.dumps(result.data), errors


def _compiled(schema: strawberry.Schema) -> int:
    """How many non-null plans the schema's executor compiled."""
    executor: type[PlannedExecutor] = schema.execution_context_class  # type: ignore[assignment]
    return sum(
        plan is not None
        for operation in executor.plan_cache._operations.values()
        for plan in operation.plans.values()
    )


def _same(items: list[Item], query: str) -> tuple[str, Any]:
    planned, standard = _schemas(items)
    expected = _answer(standard, query)
    assert _answer(planned, query) == expected
    assert _answer(planned, query) == expected  # again, from the cached plans
    return expected


def test_plain_fields_lists_and_fragments_are_completed_by_a_plan() -> None:
    query = """{ items { __typename id ...F leaves { name size } maybe { ... on Leaf { name } } }
    }
    fragment F on Item { name count other { code } c: count }"""
    planned, standard = _schemas(_items())
    expected = _answer(standard, query)
    assert _answer(planned, query) == expected
    assert '"other": {"code": "loaded"}' in expected[0]
    assert _compiled(planned) > 0


def test_an_in_hand_value_is_answered_by_the_plan_as_the_resolver_would() -> None:
    items = _items()
    items[0].in_hand["other"] = Other(code="in hand")
    items[1].in_hand["other"] = None
    data, _ = _same(items, "{ items { other { code } } }")
    assert json.loads(data) == {"items": [{"other": {"code": "in hand"}}, {"other": None}]}


def test_a_non_null_field_that_is_none_gives_the_standard_error() -> None:
    items = _items()
    items[1].name = None  # type: ignore[assignment]
    data, errors = _same(items, "{ items { id name } item { name } }")
    assert json.loads(data) == {"items": None, "item": {"name": "one"}}
    assert errors[0]["message"] == "Cannot return null for non-nullable field Item.name."
    assert errors[0]["path"] == ["items", 1, "name"]


def test_a_value_its_scalar_refuses_gives_the_standard_error() -> None:
    items = _items()
    items[0].leaves[0].size = "big"  # type: ignore[assignment]
    data, errors = _same(items, "{ items { leaves { size } } }")
    assert json.loads(data)["items"][0] == {"leaves": [{"size": None}]}
    assert errors[0]["path"] == ["items", 0, "leaves", 0, "size"]


def test_an_exception_as_a_value_gives_the_standard_error() -> None:
    items = _items()
    items[0].maybe = ValueError("a stored failure")  # type: ignore[assignment]
    data, errors = _same(items, "{ items { maybe { name } } }")
    assert json.loads(data)["items"][0] == {"maybe": None}
    assert errors[0]["message"] == "a stored failure"


def test_a_resolver_that_raises_is_left_to_the_standard_path() -> None:
    data, errors = _same(_items(), "{ items { name broken } }")
    assert json.loads(data) == {"items": None}
    assert errors[0]["message"] == "the resolver failed"


def test_an_abstract_type_is_left_to_the_standard_path() -> None:
    query = "{ item { named { __typename name ... on Person { age } } leaves { name } } }"
    planned, standard = _schemas(_items())
    expected = _answer(standard, query)
    assert _answer(planned, query) == expected
    assert json.loads(expected[0])["item"]["named"] == {
        "__typename": "Person",
        "name": "p",
        "age": 3,
    }
    assert _compiled(planned) > 0  # `leaves` still has its plan


def test_a_document_with_directives_is_not_planned() -> None:
    query = "{ items { name leaves @skip(if: true) { name } } }"
    planned, standard = _schemas(_items())
    assert _answer(planned, query) == _answer(standard, query)
    assert _compiled(planned) == 0


def test_the_plan_cache_keeps_at_most_its_size_of_operations() -> None:
    planned, _ = _schemas(_items())
    for n in range(12):
        planned.execute_sync(f"{{ items {{ a{n}: name }} }}")
    executor: type[PlannedExecutor] = planned.execution_context_class  # type: ignore[assignment]
    cache: PlanCache = executor.plan_cache
    assert len(cache) == 8


def test_no_plan_runs_under_an_extension_that_wraps_resolvers() -> None:
    class Upper(SchemaExtension):
        def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
            found = _next(root, info, *args, **kwargs)
            return found.upper() if isinstance(found, str) else found

    items = _items()
    planned, _ = _schemas(items)
    wrapped = strawberry.Schema(
        query=planned.query,
        types=[Person],
        execution_context_class=planned_executor(8),
        extensions=[Upper],
    )
    data, _ = _answer(wrapped, "{ items { name leaves { name } } }")
    assert json.loads(data)["items"][0] == {"name": "ONE", "leaves": [{"name": "A"}]}
    assert _compiled(wrapped) == 0
