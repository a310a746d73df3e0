"""Which node fields a projects page fetches beside its rows."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from graphql import FieldNode, FragmentDefinitionNode, OperationDefinitionNode, parse

from cso.graphql.types.project_page import COMPANIONS, node_fields


def _info(document: str) -> Any:
    """A stand-in for the `projects` field's Info: its field nodes and the fragments."""
    parsed = parse(document)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    root = operation.selection_set.selections[0]
    assert isinstance(root, FieldNode)
    fragments = {
        d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return SimpleNamespace(_raw_info=SimpleNamespace(field_nodes=[root], fragments=fragments))


def test_the_fields_of_edges_nodes_are_named() -> None:
    info = _info("{ projects { edges { cursor node { id cso { name } requests { status } } } } }")
    assert node_fields(info) == {"id", "cso", "requests"}


def test_the_fields_of_nodes_are_named_too() -> None:
    info = _info("{ projects { totalCount nodes { enterprise { name } } } }")
    assert node_fields(info) == {"enterprise"}


def test_fields_in_fragments_and_inline_fragments_are_named() -> None:
    info = _info(
        """
        query { projects { ...Page } }
        fragment Page on ProjectConnection { edges { node { ... on Project { cso { id } } ...N } } }
        fragment N on Project { enterprise { id } }
        """
    )
    assert node_fields(info) & COMPANIONS == {"cso", "enterprise"}


def test_a_page_that_asks_for_no_node_names_no_companion() -> None:
    info = _info("{ projects { totalCount pageInfo { hasNextPage } } }")
    assert node_fields(info) == set()


def test_an_unknown_fragment_is_skipped() -> None:
    info = _info("{ projects { ...Missing edges { node { name } } } }")
    assert node_fields(info) == {"name"}
