"""project and projects over HTTP: what a project shows, the list's filters."""

from __future__ import annotations

from cso.services.identity import Role
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

PROJECT = """query($id: ID!) { project(id: $id) {
  id version createdAt updatedAt name investment stage signedOn closed closeReason
  enterprise { id } chain { id } cso { id name phone }
  milestones { milestone on } csoAssignments { officer { id } from to reason }
  servicePlan { item status }
  services(first: 1) {
    totalCount edges { cursor node { summary } } pageInfo { hasNextPage endCursor } }
  requests { category status overdue }
  history { position streamId streamType version type data recordedAt
            actor { id role name } correlationId causationId reason hash }
} }"""

PROJECTS = """query($filter: ProjectFilter) { projects(filter: $filter) {
  totalCount edges { node { name } } } }"""

RECORD_SERVICE = """mutation($input: RecordServiceInput!) {
  recordService(input: $input) { consistencyToken } }"""


async def test_a_viewer_reads_everything_a_project_holds(gql: OverHttp) -> None:
    project_id, officer_id = await support.project_with_cso(gql)
    token = ""
    for days, summary in ((20, "第一次走访"), (10, "第二次走访")):
        recorded = await gql(
            RECORD_SERVICE,
            support.service_input(project_id, summary, days),
            headers={"X-Correlation-ID": "trace-project-read"},
        )
        token = recorded.data["recordService"]["consistencyToken"]
    reply = await gql(
        PROJECT, {"id": project_id}, role=Role.VIEWER, headers={"X-Consistency-Token": token}
    )
    project = reply.data["project"]
    assert project["version"] == 4
    assert project["stage"] == "SIGNED"
    assert project["cso"]["id"] == officer_id
    assert project["cso"]["phone"] == "138****5678"
    assert project["csoAssignments"][0]["officer"]["id"] == officer_id
    assert project["services"]["totalCount"] == 2
    assert [e["node"]["summary"] for e in project["services"]["edges"]] == ["第二次走访"]
    assert project["services"]["pageInfo"]["hasNextPage"] is True
    events = project["history"]
    assert [e["type"] for e in events] == [
        "Project.Registered",
        "Project.CsoAssigned",
        "Project.ServiceRecorded",
        "Project.ServiceRecorded",
    ]
    last = events[-1]
    assert last["streamId"] == project_id and last["streamType"] == "Project"
    assert last["data"]["summary"] == "第二次走访"
    assert last["actor"]["role"] == "supervisor"
    assert last["correlationId"] == "trace-project-read"
    assert len(last["hash"]) == 64


async def test_the_next_page_of_services_follows_the_cursor(gql: OverHttp) -> None:
    project_id, _ = await support.project_with_cso(gql)
    token = ""
    for days in (3, 2, 1):
        recorded = await gql(
            RECORD_SERVICE,
            {
                "input": {
                    "projectId": project_id,
                    "kind": "CONSULTATION",
                    "summary": f"{days} days ago",
                    "occurredOn": support.days_ago(days),
                }
            },
        )
        token = recorded.data["recordService"]["consistencyToken"]
    query = """query($id: ID!, $after: String) { project(id: $id) {
      services(first: 2, after: $after) { edges { node { summary } }
        pageInfo { hasNextPage endCursor } } } }"""
    first = await gql(query, {"id": project_id}, headers={"X-Consistency-Token": token})
    services = first.data["project"]["services"]
    assert [e["node"]["summary"] for e in services["edges"]] == ["1 days ago", "2 days ago"]
    after = services["pageInfo"]["endCursor"]
    second = (await gql(query, {"id": project_id, "after": after})).data["project"]["services"]
    assert [e["node"]["summary"] for e in second["edges"]] == ["3 days ago"]
    assert second["pageInfo"]["hasNextPage"] is False


async def test_an_unknown_project_is_null(gql: OverHttp) -> None:
    reply = await gql(PROJECT, {"id": "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11"}, role=Role.VIEWER)
    assert reply.data == {"project": None}


async def test_a_project_id_that_is_no_uuid_is_invalid_input_on_id(gql: OverHttp) -> None:
    reply = await gql(PROJECT, {"id": "P-1"}, role=Role.VIEWER)
    assert reply.code == "INVALID_INPUT"
    assert reply.error["extensions"]["field"] == "id"


async def test_projects_are_filtered_by_stage_cso_chain_and_district(gql: OverHttp) -> None:
    chain_id = (await support.chain(gql))["chain"]["id"]
    district = support.unique("南沙区")
    enterprise_id = (await support.enterprise(gql, chainId=chain_id, district=district))[
        "enterprise"
    ]["id"]
    first = (await support.project(gql, enterprise_id, name="甲项目"))["project"]["id"]
    await support.project(gql, enterprise_id, name="乙项目")
    officer_id = (await support.officer(gql))["officer"]["id"]
    await gql(support.ASSIGN_CSO, {"input": {"projectId": first, "officerId": officer_id}})
    reached = await gql(
        """mutation($input: ReachMilestoneInput!) { reachMilestone(input: $input) {
             consistencyToken } }""",
        {"input": {"projectId": first, "milestone": "SITE_SELECTED", "on": support.days_ago(1)}},
    )
    token = reached.data["reachMilestone"]["consistencyToken"]

    async def names(**filter: object) -> list[str]:
        reply = await gql(
            PROJECTS, {"filter": filter}, role=Role.VIEWER, headers={"X-Consistency-Token": token}
        )
        return [edge["node"]["name"] for edge in reply.data["projects"]["edges"]]

    assert await names(district=district) == ["甲项目", "乙项目"]
    assert await names(chainId=chain_id) == ["甲项目", "乙项目"]
    assert await names(csoId=officer_id) == ["甲项目"]
    assert await names(district=district, stage="SIGNED") == ["乙项目"]
    assert await names(district=district, stage="SITE_SELECTED") == ["甲项目"]


async def test_an_auditor_replays_a_project_to_an_earlier_version(gql: OverHttp) -> None:
    project_id, _ = await support.project_with_cso(gql)
    reply = await gql(
        """query($id: ID!) { project(id: $id, version: 1) {
             version cso { id } csoAssignments { from } history { type } } }""",
        {"id": project_id},
        role=Role.AUDITOR,
    )
    assert reply.data["project"] == {
        "version": 1,
        "cso": None,
        "csoAssignments": [],
        "history": [{"type": "Project.Registered"}],
    }
