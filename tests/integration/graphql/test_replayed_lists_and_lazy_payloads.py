"""A replayed project's lists read the read model up to its version; payloads read lazily."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from cso.database import create_pool
from cso.graphql.schema import build_schema
from cso.runtime import Runtime
from tests.integration.graphql import support
from tests.integration.graphql.support import InProcess

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


@dataclasses.dataclass(eq=False)
class Statements:
    """What the connections of the read-model pool ran, read-model statements only."""

    seen: list[str] = dataclasses.field(default_factory=list)

    def __call__(self, record: Any) -> None:
        if " rm_" in record.query:
            self.seen.append(record.query)


@pytest.fixture(scope="module")
async def counted(
    runtime: Runtime, database_url: str
) -> AsyncIterator[tuple[InProcess, Statements]]:
    statements = Statements()

    async def log_queries(conn: asyncpg.Connection[Any]) -> None:
        conn.add_query_logger(statements)

    pool = await create_pool(database_url, min_size=1, max_size=2, init=log_queries)
    yield InProcess(build_schema(), dataclasses.replace(runtime, pool=pool)), statements
    await pool.close()


def _record(project_id: str, summary: str, days: int) -> dict[str, Any]:
    return {
        "input": {
            "projectId": project_id,
            "kind": "VISIT",
            "summary": summary,
            "occurredOn": support.days_ago(days),
        }
    }


async def test_a_replayed_project_shows_its_lists_as_they_were_at_its_version(
    gql: InProcess, runtime: Runtime
) -> None:
    project_id, _ = await support.project_with_cso(gql)  # versions 1 and 2
    await gql(PLAN, {"input": {"projectId": project_id, "items": ["代办", "协调用地"]}})  # 3
    await gql(RECORD, _record(project_id, "第一次走访", 20))  # 4
    await gql(COMPLETE, {"input": {"projectId": project_id, "item": "代办"}})  # 5
    successor = (await support.officer(gql, name="陈静"))["officer"]["id"]
    await gql(
        ASSIGN,
        {"input": {"projectId": project_id, "officerId": successor, "reason": "调任"}},
    )  # 6
    last = await gql(RECORD, _record(project_id, "第二次走访", 5))  # 7
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


async def test_a_mutation_asked_only_for_its_token_reads_no_read_model(
    counted: tuple[InProcess, Statements],
) -> None:
    gql, statements = counted
    project_id, _ = await support.project_with_cso(gql)
    statements.seen.clear()
    reply = await gql(RECORD, _record(project_id, "只要令牌", 1))
    assert reply.data["recordService"]["consistencyToken"]
    assert statements.seen == []


async def test_a_payloads_project_is_read_after_the_write_from_the_read_model(
    counted: tuple[InProcess, Statements],
) -> None:
    gql, statements = counted
    project_id, _ = await support.project_with_cso(gql)
    statements.seen.clear()
    reply = await gql(RECORD_WITH_PROJECT, _record(project_id, "带回项目", 1))
    payload = reply.data["recordService"]
    project = payload["project"]
    assert project["version"] == 3
    assert project["services"]["totalCount"] == 1
    assert [e["node"]["id"] for e in project["services"]["edges"]] == [payload["serviceId"]]
    assert any("rm_projects" in statement for statement in statements.seen)
