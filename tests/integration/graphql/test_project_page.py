"""A page of projects answers its nodes' CSO, enterprise and requests from what it fetched
beside its rows: the same answers as the loaders give, with no loader made."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from cso.graphql.loaders import Loaders
from cso.services.identity import Principal, Role
from tests.integration.graphql import support
from tests.integration.graphql.support import InProcess

RAISE_REQUEST = support.mutation("raiseRequest", "consistencyToken")

NODE = "id name cso { id name } enterprise { id name } requests { id status category }"

# Every field of a request but those resolved by loaders, as a page and a project show it.
REQUEST = """id version createdAt updatedAt category description status departments raisedOn
  receivedOn dueOn resolution resolvedOn satisfaction joint calendarSource source redoCount
  returns { department reason at } extensions { workingDays reason at actor { name } }
  overdue dueSoon leadDepartment"""

FULL_NODE = f"""id name stage version createdAt
  cso {{ id name department roles active version createdAt updatedAt }}
  enterprise {{ id name creditCode district park sme partyOrganization partyMemberCount
    hasFirstSecretary organisationCovered workCovered version createdAt updatedAt }}
  requests {{ {REQUEST} }}"""

PAGE = f"""
query($enterpriseId: ID!) {{
  projects(first: 10, filter: {{ enterpriseId: $enterpriseId }}) {{ edges {{ node {{ {NODE} }} }} }}
}}"""

PAGE_BY_FRAGMENT = """
query($enterpriseId: ID!) {
  projects(first: 10, filter: { enterpriseId: $enterpriseId }) { nodes { ...P } }
}
fragment P on Project { id cso { name } enterprise { name } requests { status } }"""

ONE = f"query($id: ID!) {{ project(id: $id) {{ {NODE} }} }}"

FULL_PAGE = PAGE.replace(NODE, FULL_NODE)

FULL_ONE = ONE.replace(NODE, FULL_NODE)


async def _enterprise_with_projects(gql: InProcess) -> str:
    """An enterprise with three projects: one with a CSO and two requests, one with a CSO,
    one with neither."""
    enterprise_id = (await support.enterprise(gql))["enterprise"]["id"]
    cso_id = (await support.officer(gql))["officer"]["id"]
    projects = [(await support.project(gql, enterprise_id))["project"]["id"] for _ in range(3)]
    token = ""
    for project_id in projects[:2]:
        assignment = {"projectId": project_id, "officerId": cso_id}
        reply = await gql(support.ASSIGN_CSO, {"input": assignment})
        token = reply.data["assignCso"]["consistencyToken"]
    for category in ("PERMIT", "LAND"):
        reply = await gql(
            RAISE_REQUEST,
            {"input": {"projectId": projects[0], "category": category, "description": "诉求"}},
        )
        token = reply.data["raiseRequest"]["consistencyToken"]
    assert await gql.runtime.projections.wait_for(token, 10)
    return str(enterprise_id)


async def _executed(gql: InProcess, query: str, variables: dict[str, Any]) -> tuple[Any, Any]:
    """The result's data, and the loaders the query's context made (None: none)."""
    context = gql.context(Principal(support.SUPERVISOR_ID, Role.SUPERVISOR, "T", "QA"), {})
    result = await gql.schema.execute(query, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    return result.data, context.loaders


async def test_a_pages_cso_enterprise_and_requests_are_those_each_project_shows(
    gql: InProcess,
) -> None:
    enterprise_id = await _enterprise_with_projects(gql)
    page, _ = await _executed(gql, PAGE, {"enterpriseId": enterprise_id})
    nodes = [edge["node"] for edge in page["projects"]["edges"]]
    assert len(nodes) == 3
    assert [len(n["requests"]) for n in nodes] == [2, 0, 0]
    assert [n["cso"] is None for n in nodes] == [False, False, True]
    for node in nodes:
        one, _ = await _executed(gql, ONE, {"id": node["id"]})
        assert one["project"] == node


async def test_a_page_resolves_its_companions_without_a_dataloader(gql: InProcess) -> None:
    enterprise_id = await _enterprise_with_projects(gql)
    data, loaders = await _executed(gql, PAGE_BY_FRAGMENT, {"enterpriseId": enterprise_id})
    assert [n["requests"] != [] for n in data["projects"]["nodes"]] == [True, False, False]
    assert loaders is None


async def test_a_project_read_alone_still_loads_them(gql: InProcess) -> None:
    enterprise_id = await _enterprise_with_projects(gql)
    page, _ = await _executed(gql, PAGE, {"enterpriseId": enterprise_id})
    project_id = page["projects"]["edges"][0]["node"]["id"]
    data, loaders = await _executed(gql, ONE, {"id": project_id})
    assert data["project"]["cso"] is not None
    assert isinstance(loaders, Loaders)


async def test_every_field_of_a_pages_companions_is_what_each_project_shows(
    gql: InProcess,
) -> None:
    enterprise_id = await _enterprise_with_projects(gql)
    page, _ = await _executed(gql, FULL_PAGE, {"enterpriseId": enterprise_id})
    nodes = [edge["node"] for edge in page["projects"]["edges"]]
    assert [len(n["requests"]) for n in nodes] == [2, 0, 0]
    for node in nodes:
        one, _ = await _executed(gql, FULL_ONE, {"id": node["id"]})
        assert one["project"] == node


@contextlib.asynccontextmanager
async def _withheld(gql: InProcess, table: str, row_id: str) -> AsyncIterator[None]:
    """The read model without that row for a while, as before it is projected."""
    pool = gql.runtime.pool
    row = await pool.fetchrow(f"DELETE FROM {table} WHERE id = $1 RETURNING *", UUID(row_id))
    assert row is not None
    try:
        yield
    finally:
        columns = ", ".join(row.keys())
        values = ", ".join(f"${n}" for n in range(1, len(row) + 1))
        await pool.execute(f"INSERT INTO {table} ({columns}) VALUES ({values})", *row.values())


async def test_a_page_whose_cso_and_enterprise_are_not_projected_yet_holds_them_replayed(
    gql: InProcess,
) -> None:
    enterprise_id = await _enterprise_with_projects(gql)
    before, _ = await _executed(gql, PAGE, {"enterpriseId": enterprise_id})
    cso_id = before["projects"]["edges"][0]["node"]["cso"]["id"]
    async with (
        _withheld(gql, "rm_officers", cso_id),
        _withheld(gql, "rm_enterprises", enterprise_id),
    ):
        during, loaders = await _executed(gql, PAGE, {"enterpriseId": enterprise_id})
    assert during == before
    assert loaders is None  # the page held them: no field loaded them itself
