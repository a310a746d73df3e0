"""A query asking only for a page of projects whose nodes hold all they show reads the read
models in one statement, with no transaction around it; any other query keeps its one
repeatable-read snapshot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from cso.runtime import Runtime
from tests.integration.graphql import support
from tests.integration.graphql.counting import Statements, counting
from tests.integration.graphql.support import InProcess

NODE = "id name stage cso { name } enterprise { name } requests { status }"


def _ours(query: str) -> bool:
    """Reads of the read models and the transaction around them (not asyncpg's own)."""
    return " rm_" in query or query.startswith(("BEGIN", "ROLLBACK"))


@pytest.fixture(scope="module")
async def counted(
    gql: InProcess, runtime: Runtime, database_url: str
) -> AsyncIterator[tuple[InProcess, Statements]]:
    """The schema counting its statements, over a database holding a project or more."""
    await support.project_with_cso(gql)
    async with counting(runtime, database_url, _ours, max_size=2) as counted:
        yield counted


async def _statements(counted: tuple[InProcess, Statements], query: str) -> list[str]:
    gql, counter = counted
    counter.seen.clear()
    reply = await gql(query)
    assert not reply.body.get("errors"), reply.body
    return [" ".join(statement.split()[:2]) for statement in counter.seen]


async def test_a_page_asked_for_alone_runs_one_statement_and_no_transaction(
    counted: tuple[InProcess, Statements],
) -> None:
    query = f"{{ projects(first: 20) {{ edges {{ cursor node {{ {NODE} }} }} }} }}"
    assert await _statements(counted, query) == ["SELECT page.*,"]


async def test_a_page_with_its_count_reads_both_in_one_transaction(
    counted: tuple[InProcess, Statements],
) -> None:
    query = f"{{ projects(first: 20) {{ totalCount edges {{ node {{ {NODE} }} }} }} }}"
    statements = await _statements(counted, query)
    assert statements[0] == "BEGIN ISOLATION" and statements[-1] == "ROLLBACK;"
    assert len(statements) == 4, statements


async def test_a_page_whose_nodes_ask_for_more_than_it_holds_reads_in_one_transaction(
    counted: tuple[InProcess, Statements],
) -> None:
    query = "{ projects(first: 20) { edges { node { name milestones { milestone } } } } }"
    statements = await _statements(counted, query)
    assert statements[0] == "BEGIN ISOLATION" and len(statements) == 4, statements


async def test_a_page_beside_another_root_field_reads_in_one_transaction(
    counted: tuple[InProcess, Statements],
) -> None:
    page = f"projects(first: 2) {{ edges {{ node {{ {NODE} }} }} }}"
    query = f"{{ a: {page} b: {page} }}"
    statements = await _statements(counted, query)
    assert statements[0] == "BEGIN ISOLATION" and len(statements) == 4, statements
