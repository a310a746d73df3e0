"""projects: keyset pages, orderings and filters over the read model."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from cso.projections.project_queries import PROJECTS
from cso.runtime import Runtime
from cso.services.application import Application
from tests.integration.graphql import support
from tests.integration.graphql.support import InProcess

LIST = """
query($filter: ProjectFilter, $orderBy: ProjectOrder, $first: Int, $after: String) {
  projects(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    edges { cursor node { name investment signedOn } }
    pageInfo { hasNextPage endCursor }
  }
}"""

RAISE_REQUEST = support.mutation("raiseRequest", "consistencyToken")

INVESTMENTS = ["300.00", "1000.50", "20.00", "1000.50", "75000.00", "5.25", "640.00"]


@pytest.fixture(scope="module")
async def seven_projects(gql: InProcess, runtime: Runtime) -> str:
    """Seven projects of one enterprise, signed on different days: the enterprise's id."""
    enterprise_id = (await support.enterprise(gql))["enterprise"]["id"]
    token = ""
    for number, investment in enumerate(INVESTMENTS):
        registered = await support.project(
            gql,
            enterprise_id,
            name=f"项目{number}",
            investment=investment,
            signedOn=support.days_ago(40 - number),
        )
        token = registered["consistencyToken"]
    assert await runtime.projections.wait_for(token, 10)
    return str(enterprise_id)


async def all_pages(gql: InProcess, variables: dict[str, object]) -> list[dict[str, str]]:
    nodes: list[dict[str, str]] = []
    after = None
    while True:
        reply = await gql(LIST, {**variables, "first": 3, "after": after})
        connection = reply.data["projects"]
        nodes += [edge["node"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


async def test_pages_of_three_walk_every_project_once_in_creation_order(
    gql: InProcess, seven_projects: str
) -> None:
    nodes = await all_pages(gql, {"filter": {"enterpriseId": seven_projects}})
    assert [node["name"] for node in nodes] == [f"项目{n}" for n in range(7)]


async def test_ordering_by_investment_descending_breaks_ties_by_id(
    gql: InProcess, seven_projects: str
) -> None:
    nodes = await all_pages(
        gql,
        {
            "filter": {"enterpriseId": seven_projects},
            "orderBy": {"field": "INVESTMENT", "direction": "DESC"},
        },
    )
    assert [node["investment"] for node in nodes] == sorted(INVESTMENTS, key=float, reverse=True)


async def test_ordering_by_signing_date_ascending(gql: InProcess, seven_projects: str) -> None:
    nodes = await all_pages(
        gql, {"filter": {"enterpriseId": seven_projects}, "orderBy": {"field": "SIGNED_ON"}}
    )
    signed = [node["signedOn"] for node in nodes]
    assert signed == sorted(signed) and len(set(signed)) == 7


async def test_the_total_count_is_the_filters_not_the_pages(
    gql: InProcess, seven_projects: str
) -> None:
    reply = await gql(LIST, {"filter": {"enterpriseId": seven_projects}, "first": 2})
    assert reply.data["projects"]["totalCount"] == 7
    assert len(reply.data["projects"]["edges"]) == 2


async def test_a_cursor_from_another_ordering_is_refused(
    gql: InProcess, seven_projects: str
) -> None:
    first = await gql(LIST, {"filter": {"enterpriseId": seven_projects}, "first": 1})
    cursor = first.data["projects"]["pageInfo"]["endCursor"]
    reply = await gql(
        LIST,
        {
            "filter": {"enterpriseId": seven_projects},
            "orderBy": {"field": "NAME"},
            "after": cursor,
        },
    )
    assert reply.code == "INVALID_INPUT"
    assert reply.error["extensions"]["field"] == "after"


async def test_asking_for_more_than_100_is_invalid_input(gql: InProcess) -> None:
    reply = await gql(LIST, {"first": 101})
    assert reply.code == "INVALID_INPUT"
    assert reply.error["extensions"]["field"] == "first"


async def test_search_finds_a_project_by_part_of_its_name(
    gql: InProcess, seven_projects: str
) -> None:
    reply = await gql(LIST, {"filter": {"enterpriseId": seven_projects, "search": "目4"}})
    assert [e["node"]["name"] for e in reply.data["projects"]["edges"]] == ["项目4"]


async def test_search_takes_percent_signs_literally(gql: InProcess, seven_projects: str) -> None:
    reply = await gql(LIST, {"filter": {"enterpriseId": seven_projects, "search": "%"}})
    assert reply.data["projects"]["edges"] == []


async def test_the_overdue_filter_separates_projects_with_a_late_request(
    gql: InProcess, runtime: Runtime
) -> None:
    enterprise_id = (await support.enterprise(gql))["enterprise"]["id"]
    late = (await support.project(gql, enterprise_id, name="逾期"))["project"]["id"]
    fresh = (await support.project(gql, enterprise_id, name="未逾期"))["project"]["id"]
    await support.project(gql, enterprise_id, name="无诉求")
    # A request raised 30 days ago (PERMIT: 5 days to answer) is overdue today.
    past = date.today() - timedelta(days=30)
    earlier = InProcess(
        gql.schema,
        dataclasses.replace(
            runtime,
            application=Application(runtime.repository, runtime.store, lambda: past),
        ),
    )
    for project_id, app in ((late, earlier), (fresh, gql)):
        raised = await app(
            RAISE_REQUEST,
            {"input": {"projectId": project_id, "category": "PERMIT", "description": "施工许可"}},
        )
    assert await runtime.projections.wait_for(raised.data["raiseRequest"]["consistencyToken"], 10)

    async def names(overdue: bool) -> list[str]:
        reply = await gql(LIST, {"filter": {"enterpriseId": enterprise_id, "overdue": overdue}})
        return [edge["node"]["name"] for edge in reply.data["projects"]["edges"]]

    assert await names(True) == ["逾期"]
    assert await names(False) == ["未逾期", "无诉求"]


async def test_the_overdue_filter_is_answered_from_the_overdue_index(runtime: Runtime) -> None:
    # overdue, $7 today, everything else unfiltered; the planner is kept off whole-table scans
    # so that the tiny test table still shows which predicates an index can answer.
    params = [None, None, None, None, None, True, date.today(), None]
    async with runtime.pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL enable_seqscan = off")
        plan = "\n".join(
            row[0] for row in await conn.fetch(f"EXPLAIN {PROJECTS.count_statement}", *params)
        )
    assert "rm_projects_overdue" in plan, plan
    assert "Index Cond: (overdue_from <=" in plan, plan
