"""A replayed project's lists read the read model up to its version; payloads read lazily."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from cso.runtime import Runtime
from tests.integration.graphql import support
from tests.integration.graphql.counting import Statements, counting
from tests.integration.graphql.support import Body, InProcess

RECORD = support.mutation("recordService", "consistencyToken")

RECORD_WITH_PROJECT = """
mutation($input: RecordServiceInput!) {
  recordService(input: $input) {
    consistencyToken serviceId
    project { version services(first: 10) { totalCount edges { node { id summary } } } }
  }
}"""

PLAN = support.mutation("setServicePlan", "consistencyToken")

COMPLETE = support.mutation("completeServiceItem", "consistencyToken")

ASSIGN = support.mutation("assignCso", "consistencyToken")

AT = """
query($id: ID!, $version: Int) {
  project(id: $id, version: $version) {
    version csoSince latestServiceOn
    csoAssignments { officer { name } from to reason active }
    servicePlan { item status }
    services(first: 10) { totalCount edges { node { summary } } }
  }
}"""


def _reads_a_read_model(query: str) -> bool:
    return " rm_" in query


@pytest.fixture(scope="module")
async def counted(
    runtime: Runtime, database_url: str
) -> AsyncIterator[tuple[InProcess, Statements]]:
    """The schema on a pool that notes the read-model statements its connections run."""
    async with counting(runtime, database_url, _reads_a_read_model, max_size=2) as counted:
        yield counted


async def test_a_replayed_project_shows_its_lists_as_they_were_at_its_version(
    gql: InProcess, runtime: Runtime
) -> None:
    project_id, _ = await support.project_with_cso(gql)  # versions 1 and 2
    await gql(PLAN, {"input": {"projectId": project_id, "items": ["代办", "协调用地"]}})  # 3
    await gql(RECORD, support.service_input(project_id, "第一次走访", 20))  # 4
    await gql(COMPLETE, {"input": {"projectId": project_id, "item": "代办"}})  # 5
    successor = (await support.officer(gql, name="陈静"))["officer"]["id"]
    await gql(
        ASSIGN,
        {"input": {"projectId": project_id, "officerId": successor, "reason": "调任"}},
    )  # 6
    last = await gql(RECORD, support.service_input(project_id, "第二次走访", 5))  # 7
    assert await runtime.projections.wait_for(last.data["recordService"]["consistencyToken"], 10)

    then = (await gql(AT, {"id": project_id, "version": 4})).data["project"]
    now = (await gql(AT, {"id": project_id})).data["project"]

    assert then["version"] == 4
    assert [(a["officer"]["name"], a["to"], a["active"]) for a in then["csoAssignments"]] == [
        ("李明", None, True)
    ]
    assert then["servicePlan"] == [
        {"item": "代办", "status": "PLANNED"},
        {"item": "协调用地", "status": "PLANNED"},
    ]
    assert then["services"]["totalCount"] == 1
    assert [e["node"]["summary"] for e in then["services"]["edges"]] == ["第一次走访"]
    assert then["latestServiceOn"] == support.days_ago(20)

    assert now["version"] == 7
    assert [(a["officer"]["name"], a["reason"]) for a in now["csoAssignments"]] == [
        ("李明", None),
        ("陈静", "调任"),
    ]
    assert now["csoAssignments"][0]["to"] == now["csoAssignments"][1]["from"] == now["csoSince"]
    assert now["servicePlan"][0] == {"item": "代办", "status": "COMPLETED"}
    assert [e["node"]["summary"] for e in now["services"]["edges"]] == ["第二次走访", "第一次走访"]
    assert now["services"]["totalCount"] == 2


async def _record_on_a_new_project(
    counted: tuple[InProcess, Statements], mutation: str, summary: str
) -> tuple[Body, list[str]]:
    """recordService's payload on a new project with a CSO, and the read-model statements
    the mutation alone ran."""
    gql, statements = counted
    project_id, _ = await support.project_with_cso(gql)
    statements.seen.clear()
    reply = await gql(mutation, support.service_input(project_id, summary, 1))
    return reply.data["recordService"], list(statements.seen)


async def test_a_mutation_asked_only_for_its_token_reads_no_read_model(
    counted: tuple[InProcess, Statements],
) -> None:
    payload, seen = await _record_on_a_new_project(counted, RECORD, "只要令牌")
    assert payload["consistencyToken"]
    assert seen == []


async def test_a_payloads_project_is_read_after_the_write_from_the_read_model(
    counted: tuple[InProcess, Statements],
) -> None:
    payload, seen = await _record_on_a_new_project(counted, RECORD_WITH_PROJECT, "带回项目")
    project = payload["project"]
    assert project["version"] == 3
    assert project["services"]["totalCount"] == 1
    assert [e["node"]["id"] for e in project["services"]["edges"]] == [payload["serviceId"]]
    assert any("rm_projects" in statement for statement in seen)
