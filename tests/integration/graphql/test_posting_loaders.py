"""A page of postings with their visits, guidance and problems costs a fixed number of
statements, whatever the page's size (no query per posting)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from cso.runtime import Runtime
from tests.e2e import postings_support as ps
from tests.integration.graphql import support
from tests.integration.graphql.counting import Statements, counting
from tests.integration.graphql.support import InProcess

PAGE = """
query($chainId: ID!, $first: Int!) {
  secretaryPostings(first: $first, filter: { chainId: $chainId }) {
    nodes {
      visits(first: 2) { totalCount nodes { summary } pageInfo { hasNextPage } }
      guidance(first: 2) { totalCount nodes { summary } }
      problems { description status source }
    }
  }
}"""
POSTINGS = 12
# Visits per posting, by the posting's place: 0, 1, 3, then again.
VISITS_OF = [0, 1, 3]


def _reads_a_read_model_or_the_log(query: str) -> bool:
    return " rm_" in query or "FROM events" in query


@pytest.fixture(scope="module")
async def counted(
    runtime: Runtime, database_url: str
) -> AsyncIterator[tuple[InProcess, Statements]]:
    async with counting(
        runtime, database_url, _reads_a_read_model_or_the_log, max_size=4
    ) as counted:
        yield counted


@pytest.fixture(scope="module")
async def chain_of_postings(gql: InProcess, runtime: Runtime) -> str:
    """A chain of POSTINGS enterprises, each with a posting, VISITS_OF visits, one guidance
    and one problem: the chain's id."""
    chain_id = (await support.chain(gql))["chain"]["id"]
    token = ""
    for number in range(POSTINGS):
        posting = await ps.posting(gql, await ps.sme(gql, chainId=chain_id))
        for days in range(VISITS_OF[number % len(VISITS_OF)]):
            record = {"postingId": posting["id"], "on": support.days_ago(days + 1)}
            await gql(ps.VISIT, {"input": record | {"summary": f"visit {days}"}})
        guidance = {"postingId": posting["id"], "on": support.days_ago(1), "summary": "党课"}
        await gql(ps.GUIDANCE, {"input": guidance})
        logged = await gql(
            support.mutation("logEnterpriseProblem", "consistencyToken"),
            {"input": {"postingId": posting["id"], "description": f"problem {number}"}},
        )
        token = logged.data["logEnterpriseProblem"]["consistencyToken"]
    assert await runtime.projections.wait_for(token, 10)
    return str(chain_id)


async def page(counted: tuple[InProcess, Statements], chain_id: str, first: int) -> list[str]:
    gql, counter = counted
    counter.seen.clear()
    reply = await gql(PAGE, {"chainId": chain_id, "first": first})
    nodes = reply.data["secretaryPostings"]["nodes"]
    assert len(nodes) == first
    assert all(n["guidance"]["totalCount"] == 1 for n in nodes)
    assert all(n["problems"][0]["source"] == "POSTING" for n in nodes)
    return list(counter.seen)


async def test_a_page_of_postings_with_records_and_problems_takes_3_statements(
    counted: tuple[InProcess, Statements], chain_of_postings: str
) -> None:
    statements = await page(counted, chain_of_postings, POSTINGS)
    # the page, one for every posting's visits and guidance pages, one for their problems
    assert len(statements) == 3, statements
    assert len(await page(counted, chain_of_postings, 2)) == len(statements)


async def test_each_posting_shows_its_own_newest_visits_and_its_count(
    counted: tuple[InProcess, Statements], chain_of_postings: str
) -> None:
    gql, _ = counted
    reply = await gql(PAGE, {"chainId": chain_of_postings, "first": POSTINGS})
    shown = sorted(
        (
            n["visits"]["totalCount"],
            [v["summary"] for v in n["visits"]["nodes"]],
            n["visits"]["pageInfo"]["hasNextPage"],
        )
        for n in reply.data["secretaryPostings"]["nodes"]
    )
    expected = sorted(
        (count, [f"visit {d}" for d in range(min(count, 2))], count > 2)
        for count in (VISITS_OF[n % len(VISITS_OF)] for n in range(POSTINGS))
    )
    assert shown == expected
