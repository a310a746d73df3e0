"""A page of projects with what they point at costs a fixed number of statements (no N+1)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from cso.runtime import Runtime
from tests.integration.graphql import support
from tests.integration.graphql.counting import Statements, counting
from tests.integration.graphql.support import InProcess

PAGE = """
query($enterpriseId: ID!, $first: Int!) {
  projects(first: $first, filter: { enterpriseId: $enterpriseId }) {
    totalCount
    edges { node {
      name
      cso { name }
      enterprise { name }
      milestones { milestone on }
      requests { category overdue }
    } }
  }
}"""

PAGE_WITH_SERVICES = """
query($enterpriseId: ID!, $first: Int!) {
  projects(first: $first, filter: { enterpriseId: $enterpriseId }) {
    edges { node {
      name
      services(first: 3) {
        totalCount
        edges { node { summary occurredOn } }
        pageInfo { hasNextPage }
      }
    } }
  }
}"""

RAISE_REQUEST = support.mutation("raiseRequest", "consistencyToken")

RECORD_SERVICE = support.mutation("recordService", "consistencyToken")

# Services per project, by the project's place on the page: 0, 1, 2, … 4, then again.
SERVICES_OF = [0, 1, 4]


def _reads_a_read_model_or_the_log(query: str) -> bool:
    return " rm_" in query or "FROM events" in query


@pytest.fixture(scope="module")
async def counted(
    runtime: Runtime, database_url: str
) -> AsyncIterator[tuple[InProcess, Statements]]:
    """The schema on a pool that counts what its connections run."""
    async with counting(
        runtime, database_url, _reads_a_read_model_or_the_log, max_size=4
    ) as counted:
        yield counted


@pytest.fixture(scope="module")
async def fifty_projects(gql: InProcess, runtime: Runtime) -> str:
    """One enterprise with 50 projects, each with a CSO, a request and 0, 1 or 4 services
    (by turns, SERVICES_OF): the enterprise's id."""
    enterprise_id = (await support.enterprise(gql))["enterprise"]["id"]
    officer_id = (await support.officer(gql))["officer"]["id"]
    token = ""
    for number in range(50):
        project_id = (await support.project(gql, enterprise_id))["project"]["id"]
        await gql(support.ASSIGN_CSO, {"input": {"projectId": project_id, "officerId": officer_id}})
        raised = await gql(
            RAISE_REQUEST,
            {"input": {"projectId": project_id, "category": "PERMIT", "description": "许可"}},
        )
        token = raised.data["raiseRequest"]["consistencyToken"]
        for days in range(SERVICES_OF[number % len(SERVICES_OF)]):
            recorded = await gql(RECORD_SERVICE, {"input": service(project_id, days)})
            token = recorded.data["recordService"]["consistencyToken"]
    assert await runtime.projections.wait_for(token, 10)
    return str(enterprise_id)


def service(project_id: str, days_ago: int) -> dict[str, str]:
    return {
        "projectId": project_id,
        "kind": "VISIT",
        "summary": f"{days_ago} days ago",
        "occurredOn": support.days_ago(days_ago + 1),
    }


async def statements_for_page(
    counted: tuple[InProcess, Statements], enterprise_id: str, first: int
) -> list[str]:
    gql, counter = counted
    counter.seen.clear()
    reply = await gql(PAGE, {"enterpriseId": enterprise_id, "first": first})
    edges = reply.data["projects"]["edges"]
    assert len(edges) == first
    assert all(edge["node"]["cso"]["name"] == "李明" for edge in edges)
    assert all(edge["node"]["milestones"][0]["milestone"] == "SIGNED" for edge in edges)
    assert all(edge["node"]["requests"][0]["category"] == "PERMIT" for edge in edges)
    return list(counter.seen)


async def test_a_page_of_50_projects_with_cso_enterprise_milestones_and_requests_takes_3_statements(
    counted: tuple[InProcess, Statements], fifty_projects: str
) -> None:
    statements = await statements_for_page(counted, fifty_projects, 50)
    # the page with its officers, enterprises and requests, its count, then the milestones
    assert len(statements) == 3, statements


async def test_the_number_of_statements_does_not_grow_with_the_page(
    counted: tuple[InProcess, Statements], fifty_projects: str
) -> None:
    small = await statements_for_page(counted, fifty_projects, 5)
    large = await statements_for_page(counted, fifty_projects, 50)
    assert len(small) == len(large)


async def test_a_page_of_50_projects_with_their_first_services_and_counts_takes_2_statements(
    counted: tuple[InProcess, Statements], fifty_projects: str
) -> None:
    gql, counter = counted
    counter.seen.clear()
    reply = await gql(PAGE_WITH_SERVICES, {"enterpriseId": fifty_projects, "first": 50})
    statements = list(counter.seen)
    # the page, then one statement for every project's services; counts come with the page
    assert len(statements) == 2, statements
    edges = reply.data["projects"]["edges"]
    assert len(edges) == 50


async def test_each_project_on_a_page_shows_its_own_newest_services(
    counted: tuple[InProcess, Statements], fifty_projects: str
) -> None:
    gql, _ = counted
    reply = await gql(PAGE_WITH_SERVICES, {"enterpriseId": fifty_projects, "first": 6})
    shown = [edge["node"]["services"] for edge in reply.data["projects"]["edges"]]
    expected = []
    for number in range(6):
        count = SERVICES_OF[number % len(SERVICES_OF)]
        expected.append(
            {
                "totalCount": count,
                "summaries": [f"{days} days ago" for days in range(min(count, 3))],
                "hasNextPage": count > 3,
            }
        )
    assert [
        {
            "totalCount": services["totalCount"],
            "summaries": [edge["node"]["summary"] for edge in services["edges"]],
            "hasNextPage": services["pageInfo"]["hasNextPage"],
        }
        for services in shown
    ] == expected
