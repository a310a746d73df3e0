"""A page of projects with what its nodes ask for fetched beside it: CSO, enterprise, requests.

A page of 20 projects whose nodes ask for `cso`, `enterprise` and `requests` would otherwise
resolve 60 async fields, each a coroutine and a DataLoader future, and run three batched
statements after the page's. Here the page's one statement fetches them beside its rows
(project_queries.PAGE_BESIDE: one round trip, one snapshot), the types' own mappers map
them, and the nodes hold them, so those fields resolve at once. What the read models lack
yet (written, not projected) is fetched after, through the loaders' batches, which replay it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry.types import Info

from cso.graphql.context import Context
from cso.graphql.keyset import Row
from cso.graphql.loaders import Batch
from cso.graphql.types.enterprise import Enterprise, enterprise_from_row, enterprises_by_id
from cso.graphql.types.enterprise_request import request_of
from cso.graphql.types.officer import Officer, officer_from_row, officers_by_id
from cso.graphql.types.project import Project, project_from_row
from cso.projections.project_queries import CSO_BESIDE, ENTERPRISE_BESIDE, page_requests

# The node fields a page fetches beside its rows.
COMPANIONS = frozenset({"cso", "enterprise", "requests"})


def node_fields(info: Info[Context, None]) -> set[str]:
    """The names of the fields a connection's nodes select (`edges { node { … } }` and
    `nodes { … }`), through fragments. Directives are not weighed: a field skipped by
    `@skip` is still named, which only means it is fetched and not shown."""
    raw = info._raw_info
    fragments = raw.fragments
    names: set[str] = set()
    for field in raw.field_nodes:
        for child in _fields(field.selection_set, fragments):
            if child.name.value == "nodes":
                names.update(f.name.value for f in _fields(child.selection_set, fragments))
            elif child.name.value == "edges":
                for edge_field in _fields(child.selection_set, fragments):
                    if edge_field.name.value == "node":
                        selection = edge_field.selection_set
                        names.update(f.name.value for f in _fields(selection, fragments))
    return names


def _fields(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]
) -> Iterable[FieldNode]:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, fragments)


class Companions:
    """What a page's nodes ask for beside them (`wanted`, of COMPANIONS), fetched in the
    page's own statement (project_queries.PAGE_BESIDE) and put in each project's hands.

    `flags` are the statement's parameters beside the filter; `node` maps a page row to
    its project with its companions in hand; `complete` then fetches, through the loaders'
    batches, the officers and enterprises the read models lack yet (written, not projected:
    the batches replay them), as the loaders would have."""

    def __init__(self, wanted: Collection[str]) -> None:
        self.wanted = frozenset(wanted) & COMPANIONS
        self._officers: dict[UUID, Officer] = {}
        self._enterprises: dict[UUID, Enterprise] = {}
        self._lacking: list[Project] = []

    @property
    def flags(self) -> list[bool]:
        """Whether the statement fetches the CSO, the enterprise, the requests."""
        return [name in self.wanted for name in ("cso", "enterprise", "requests")]

    def node(self, row: Row) -> Project:
        """The row's project (the type's one mapper), holding the companions it came with."""
        project = project_from_row(row)
        in_hand, lacking = project.in_hand, False
        if "cso" in self.wanted:
            cso = CSO_BESIDE.of(row)
            if project.cso_id is None:
                in_hand["cso"] = None
            elif cso is None:
                lacking = True
            else:
                in_hand["cso"] = _mapped(self._officers, cso, officer_from_row)
        if "enterprise" in self.wanted:
            enterprise = ENTERPRISE_BESIDE.of(row)
            if enterprise is None:
                lacking = True
            else:
                found = _mapped(self._enterprises, enterprise, enterprise_from_row)
                in_hand["enterprise"] = found
        if "requests" in self.wanted:
            in_hand["requests"] = [request_of(r) for r in page_requests(row)]
        if lacking:
            self._lacking.append(project)
        return project

    async def complete(self, context: Context) -> None:
        """Fetch the companions the page's rows lacked (none in the common case)."""
        lacking, self._lacking = self._lacking, []
        if "cso" in self.wanted:
            await _hand(context, lacking, "cso", lambda p: p.cso_id, officers_by_id)
        if "enterprise" in self.wanted:
            by_enterprise = enterprises_by_id
            await _hand(context, lacking, "enterprise", lambda p: p.enterprise_id, by_enterprise)


T = TypeVar("T")


def _mapped(seen: dict[UUID, T], row: Row, mapper: Callable[[Row], T]) -> T:
    """The node of `row` through `mapper`, once per id on a page."""
    found = seen.get(row["id"])
    if found is None:
        found = seen[row["id"]] = mapper(row)
    return found


async def _hand(
    context: Context,
    projects: Sequence[Project],
    name: str,
    key: Callable[[Project], Any],
    batch: Batch[UUID, Any],
) -> None:
    """Put in the hands of those `projects` that lack it the `name` companion, by the id
    `key` gives, through the loaders' `batch` (the read model, then a replay)."""
    missing = [p for p in projects if name not in p.in_hand]
    ids = list({key(p) for p in missing})
    if ids:
        found = dict(zip(ids, await batch(context, ids), strict=True))
        for project in missing:
            project.in_hand[name] = found[key(project)]
