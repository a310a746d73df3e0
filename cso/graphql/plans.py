"""The pieces a compiled plan is made of (cso.graphql.execution builds them): how a field's
value is read from its source, and the functions completing a leaf, a list or an object.

Each piece raises (GiveUp, or whatever a coercion raises) on a value it does not complete
as graphql-core would; the executor then completes the field by graphql-core's own path.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
)
from graphql.type.scalars import serialize_boolean, serialize_id, serialize_string
from strawberry.types.field import StrawberryField

from cso.graphql.fields import IN_HAND

Plan = Callable[[Any], Any]

# graphql-core's `GraphQLField.extensions` key under which Strawberry keeps its field.
STRAWBERRY_FIELD = "strawberry-definition"


class GiveUp(Exception):  # not an error: the standard path takes over
    """A plan met a value it does not complete; the standard path completes the field."""


@dataclass(frozen=True)
class Read:
    """How a plan reads a field's value: an attribute of its source ("attribute"), the
    value its source holds in hand ("in_hand", KeyError when not), or a constant."""

    kind: str
    name: Any


@dataclass(frozen=True)
class Entry:
    """One response key of an object plan: how its value is read and completed (None: the
    value as read); `same_class`, a class whose values the leaf's coercion returns as they
    are (str for String and ID, bool for Boolean), so the plan skips the call for them."""

    response_name: str
    read: Read
    complete: Plan | None
    same_class: type | None = None


def read_of(field: GraphQLField) -> Read | None:
    """How a plan reads the field's value from its source, or None: only the resolver can."""
    definition = (field.extensions or {}).get(STRAWBERRY_FIELD)
    if not isinstance(definition, StrawberryField) or definition.extensions:
        return None
    resolve = field.resolve
    if resolve is None:
        return None
    name = definition.python_name
    if definition.base_resolver is None:
        # Strawberry's own resolver for a plain field reads the attribute, nothing more.
        plain = resolve.__name__ == "_get_basic_result" and definition.default_resolver is getattr
        return Read("attribute", name) if plain else None
    if definition.metadata.get(IN_HAND) and not definition.is_async:
        return Read("in_hand", name)
    return None


# Leaf types whose coercion answers a value of exactly this class as it is.
_AS_THEY_ARE: tuple[tuple[GraphQLScalarType, Any, type], ...] = (
    (GraphQLString, serialize_string, str),
    (GraphQLID, serialize_id, str),
    (GraphQLBoolean, serialize_boolean, bool),
)


def same_class_of(field_type: GraphQLOutputType) -> type | None:
    """The class whose values the non-null leaf `field_type` answers as they are, if any."""
    if not isinstance(field_type, GraphQLNonNull):
        return None
    for leaf, coerce, same_class in _AS_THEY_ARE:
        if field_type.of_type is leaf and leaf.coerce_output_value is coerce:
            return same_class
    return None


def leaf(coerce: Callable[[Any], Any]) -> Plan:
    """A nullable leaf: None as None, anything else through the type's coercion."""

    def complete(value: Any) -> Any:
        if value is None:
            return None
        if value is Undefined or isinstance(value, Exception):
            raise GiveUp
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise GiveUp
        return coerced

    return complete


def non_null_leaf(coerce: Callable[[Any], Any]) -> Plan:
    """A non-null leaf: through the type's coercion; None gives up."""

    def complete(value: Any) -> Any:
        if value is None or value is Undefined or isinstance(value, Exception):
            raise GiveUp
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise GiveUp
        return coerced

    return complete


def non_null(inner: Plan) -> Plan:
    """`inner`, giving up where it completes to None."""

    def complete(value: Any) -> Any:
        completed = inner(value)
        if completed is None:
            raise GiveUp
        return completed

    return complete


def list_of(item: Plan) -> Plan:
    """A list (or tuple) completed item by item; any other iterable gives up."""

    def complete(value: Any) -> Any:
        if value is None:
            return None
        if value.__class__ is not list and value.__class__ is not tuple:
            raise GiveUp  # an iterator, an awaitable, an exception: the standard path's
        return [item(each) for each in value]

    return complete


def object_of(entries: list[Entry], non_null: bool) -> Plan:
    """An object's plan, as the source of one function: each value read and completed in
    line, the response's keys in graphql-core's order. Only identifiers of ours and
    `repr`s go into the source; names and values from the document are passed in as
    constants. `non_null`: None is refused (GiveUp) rather than answered."""
    scope: dict[str, Any] = {"Undefined": Undefined, "GiveUp": GiveUp}
    reads: list[str] = []
    keys: list[str] = []
    for n, entry in enumerate(entries):
        scope[f"k{n}"] = entry.response_name
        kind, name = entry.read.kind, entry.read.name
        if kind == "constant":
            scope[f"v{n}"] = name
        elif kind == "in_hand":
            scope[f"n{n}"] = name
            reads.append(f"    v{n} = value.in_hand[n{n}]")
        elif name.isidentifier() and not keyword.iskeyword(name):
            reads.append(f"    v{n} = value.{name}")
        else:
            scope[f"n{n}"] = name
            reads.append(f"    v{n} = getattr(value, n{n})")
        if entry.complete is None:
            keys.append(f"k{n}: v{n}")
            continue
        scope[f"c{n}"] = entry.complete
        if entry.same_class is not None:
            scope[f"t{n}"] = entry.same_class
            keys.append(f"k{n}: v{n} if v{n}.__class__ is t{n} else c{n}(v{n})")
        else:
            keys.append(f"k{n}: c{n}(v{n})")
    source = "\n".join(
        [
            "def complete(value):",
            "    if value is None:",
            "        raise GiveUp" if non_null else "        return None",
            "    if value is Undefined or isinstance(value, Exception):",
            "        raise GiveUp",
            *reads,
            "    return {" + ", ".join(keys) + "}",
        ]
    )
    # The source is ours: identifiers we chose and attribute names checked above.
    exec(compile(source, "<compiled plan>", "exec"), scope)
    plan: Plan = scope["complete"]
    return plan
