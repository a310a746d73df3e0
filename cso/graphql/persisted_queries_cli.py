"""`cso persisted-queries FILE…`: the allow-list manifest for a frontend's documents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import orjson
import typer
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    OperationDefinitionNode,
    parse,
    print_ast,
    visit,
)
from graphql.language import Visitor

from cso.graphql.persisted_queries import manifest_of


def persisted_queries(
    files: Annotated[list[Path], typer.Argument(help="GraphQL documents (.graphql files).")],
    output: Annotated[
        Path | None, typer.Option(help="Write the manifest here instead of printing it.")
    ] = None,
) -> None:
    """Print Apollo's persisted query manifest for every operation in FILES: each body is the
    operation and the fragments it uses (defined in any of FILES), printed by graphql-core,
    its id the body's SHA-256. Serve it with CSO_PERSISTED_QUERIES=allowlist and
    CSO_PERSISTED_QUERIES_FILE."""
    documents: list[tuple[Path, DocumentNode]] = []
    for path in files:
        try:
            documents.append((path, parse(path.read_text(encoding="utf-8"), no_location=True)))
        except (OSError, GraphQLError) as exc:
            _fail(path, exc)
    # Frontends keep fragments in files of their own (`src/**/*.graphql`), so an operation
    # may use a fragment that another of FILES defines.
    fragments: dict[str, FragmentDefinitionNode] = {}
    for path, document in documents:
        for fragment in _fragments_in(document):
            known = fragments.get(fragment.name.value)
            if known is not None and print_ast(known) != print_ast(fragment):
                _fail(path, GraphQLError(f"fragment {fragment.name.value} is defined twice"))
            fragments[fragment.name.value] = fragment
    operations: list[tuple[str, str, str]] = []
    for path, document in documents:
        try:
            operations.extend(_operations_in(document, fragments))
        except GraphQLError as exc:
            _fail(path, exc)
    text = orjson.dumps(manifest_of(operations), option=orjson.OPT_INDENT_2).decode() + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def _fail(path: Path, exc: Exception) -> NoReturn:
    typer.echo(f"cso persisted-queries: {path}: {exc}", err=True)
    raise typer.Exit(2) from None


def _fragments_in(document: DocumentNode) -> list[FragmentDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]


def _operations_in(
    document: DocumentNode, fragments: dict[str, FragmentDefinitionNode]
) -> list[tuple[str, str, str]]:
    found = []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        used = _fragments_used(definition, fragments)
        body = print_ast(DocumentNode(definitions=(definition, *used)))
        name = definition.name.value if definition.name else ""
        found.append((name, definition.operation.value, body))
    return found


def _fragments_used(
    node: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> list[FragmentDefinitionNode]:
    used: dict[str, FragmentDefinitionNode] = {}
    pending: list[OperationDefinitionNode | FragmentDefinitionNode] = [node]
    while pending:
        spreads = _Spreads()
        visit(pending.pop(), spreads)
        for name in spreads.names:
            if name in used:
                continue
            if name not in fragments:
                raise GraphQLError(f"fragment {name} is used but not defined")
            used[name] = fragments[name]
            pending.append(fragments[name])
    return list(used.values())


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.append(node.name.value)
