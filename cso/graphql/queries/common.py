"""Inputs and helpers the list queries share."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from cso.graphql.context import Context
from cso.graphql.enums import NameOrderField, SortDirection
from cso.services import policy
from cso.services.identity import Principal


@strawberry.input(description="Sort by a field, then by id.")
class NameOrder:
    field: NameOrderField = NameOrderField.CREATED_AT
    direction: SortDirection = SortDirection.ASC


def ordering_name(field: str, direction: SortDirection) -> str:
    return f"{field}:{direction.value}"


def name_ordering(order: NameOrder | None) -> str:
    order = order or NameOrder()
    return ordering_name(order.field.value, order.direction)


def search_pattern(search: str | None) -> str | None:
    """An ILIKE pattern that finds `search` anywhere, its own % and _ taken literally."""
    if search is None or not search.strip():
        return None
    escaped = search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def reader(info: Info[Context, None]) -> Principal:
    """Every read needs a token (UNAUTHENTICATED otherwise); the policy says which roles."""
    return policy.require_reader(info.context.viewer)
