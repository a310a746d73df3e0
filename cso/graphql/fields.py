"""Typed forms of `strawberry.field`/`mutation`/`subscription` with a description.

Strawberry types the decorator factories as Any, which strict mypy refuses to let decorate
a resolver; these say what they do: give back the resolver, described.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry

F = TypeVar("F", bound=Callable[..., Any])

# The metadata key marking an in-hand field (see `in_hand_field`).
IN_HAND = "cso.in_hand"
# The metadata key marking a root field that reads once (see `reads_once`).
READS_ONCE = "cso.reads_once"


def field(description: str) -> Callable[[F], F]:
    decorator: Callable[[F], F] = strawberry.field(description=description)
    return decorator


def in_hand_field(graphql_type: Any, description: str | None = None) -> Callable[[F], F]:
    """A field whose plain (not async) resolver answers its value when in hand, and an
    awaitable otherwise: graphql-core awaits what needs awaiting, and a value in hand costs
    no coroutine and no task. `graphql_type` is the field's type (the resolver's annotation
    also names the awaitable).

    The resolver's contract, which compiled plans (cso.graphql.execution) rely on to answer
    the field without calling it: when its source's `in_hand` dict holds the resolver's name,
    it returns exactly that value, and does nothing else."""
    decorator: Callable[[F], F] = strawberry.field(
        description=description, graphql_type=graphql_type, metadata={IN_HAND: True}
    )
    return decorator


def reads_once(description: str | None = None) -> Callable[[F], F]:
    """A root query field whose resolver reads the read models in one statement when no
    resolver runs below it, that is when compiled plans complete its whole value (such a
    value holds everything it shows). Another read it makes then may only fetch what the
    read models lack yet. Asked for alone, the field's query then reads without a
    transaction (cso.graphql.snapshot, `read_once`)."""
    decorator: Callable[[F], F] = strawberry.field(
        description=description, metadata={READS_ONCE: True}
    )
    return decorator


def mutation(description: str) -> Callable[[F], F]:
    decorator: Callable[[F], F] = strawberry.mutation(description=description)
    return decorator


def subscription(description: str) -> Callable[[F], F]:
    decorator: Callable[[F], F] = strawberry.subscription(description=description)
    return decorator
