"""A page of projects with what its nodes ask for fetched beside it: CSO, enterprise, requests.

A page of 20 projects whose nodes ask for `cso`, `enterprise` and `requests` would otherwise
resolve 60 async fields, each a coroutine and a DataLoader future, before the three batched
statements run. Fetched here, through the same batch functions and mappers (so rows not
projected yet are still replayed), the nodes hold them and those fields resolve at once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
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
from cso.graphql.types.enterprise import enterprises_by_id
from cso.graphql.types.enterprise_request import requests_of
from cso.graphql.types.officer import officers_by_id
from cso.graphql.types.project import Project

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


async def fetch_companions(
    context: Context, projects: Sequence[Project], wanted: Collection[str]
) -> None:
    """Put in each project's hands the companions in `wanted` (of COMPANIONS): one batched
    statement each, on the request's snapshot, the same rows the loaders would read."""
    if not projects:
        return
    if "cso" in wanted:
        cso_ids = list({p.cso_id for p in projects if p.cso_id is not None})
        officers = dict(zip(cso_ids, await officers_by_id(context, cso_ids), strict=True))
        for project in projects:
            project.in_hand["cso"] = None if project.cso_id is None else officers[project.cso_id]
    if "enterprise" in wanted:
        enterprise_ids = list({p.enterprise_id for p in projects})
        found = await enterprises_by_id(context, enterprise_ids)
        enterprises = dict(zip(enterprise_ids, found, strict=True))
        for project in projects:
            project.in_hand["enterprise"] = enterprises[project.enterprise_id]
    if "requests" in wanted:
        ids = [UUID(p.id) for p in projects]
        for project, requests in zip(projects, await requests_of(context, ids), strict=True):
            project.in_hand["requests"] = requests
