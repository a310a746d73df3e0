"""What KnownMutations keeps of the documents it has seen, and what it declines at once."""

from __future__ import annotations

from typing import Any

from cso.graphql.consistency import ReadYourWrites
from cso.graphql.known_mutations import KnownMutations
from cso.graphql.schema import CsoSchema, DocumentChecks, build_schema
from cso.metrics import OperationMetrics

RECORD = (
    "mutation Record($input: RecordServiceInput!) { recordService(input: $input) { serviceId } }"
)


def _known(schema: CsoSchema, max_entries: int = 512) -> KnownMutations:
    known = schema.known_mutations
    assert known is not None
    return KnownMutations(schema, known.parsed, known.errors, max_entries)


def test_a_mutation_is_learnt_once_with_its_operation_roots_and_metrics_name() -> None:
    known = _known(build_schema())
    first = known._lookup(RECORD, None)
    assert first is not None and first.is_mutation
    assert (first.operation, first.roots, first.name) == ("Record", ("recordService",), "Record")
    assert known._lookup(RECORD, None) is first


def test_texts_that_do_not_parse_or_validate_are_not_kept() -> None:
    known = _known(build_schema())
    for text in ("mutation {", "mutation { nope }", "mutation " + "{ a " * 5000):
        assert known._lookup(text, None) is None
    assert known._lookup(RECORD, "Other") is None  # names no operation of the document
    assert len(known._known) == 0


def test_a_query_is_known_as_not_a_mutation_and_at_most_max_entries_are_kept() -> None:
    known = _known(build_schema(), max_entries=2)
    query = known._lookup("query mutation { __typename }", None)
    assert query is not None and not query.is_mutation
    for n in range(3):
        known._lookup(
            f"mutation M{n}($input: RecordServiceInput!) {RECORD[RECORD.index('{') :]}", None
        )
    assert len(known._known) == 2


async def test_a_caller_that_is_not_a_request_context_goes_the_normal_way() -> None:
    known = _known(build_schema())
    context: Any = object()
    assert await known.execute(RECORD, {}, None, None, context) is None
    assert len(known._known) == 0  # declined before the document was looked at


def test_the_schema_has_only_the_extensions_whose_hooks_the_known_path_does() -> None:
    # A new extension's hooks would be skipped for known mutations: known_mutations.py
    # must learn to do what it does (or the schema must not set known_mutations).
    schema = build_schema()
    made = [extension() for extension in schema.extensions]  # type: ignore[operator]
    assert [type(e) for e in made] == [DocumentChecks, ReadYourWrites, OperationMetrics]
    assert not schema.directives
