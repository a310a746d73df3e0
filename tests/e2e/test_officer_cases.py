"""Over HTTP: the CSO of an open project is neither deactivated nor stripped of the role."""

from __future__ import annotations

import asyncio

import httpx

from tests.e2e.conftest import Api
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

DEACTIVATE = """mutation($input: DeactivateOfficerInput!) {
  deactivateOfficer(input: $input) { officer { id active } consistencyToken } }"""
CHANGE_ROLES = """mutation($input: ChangeOfficerRolesInput!) {
  changeOfficerRoles(input: $input) { officer { id roles } consistencyToken } }"""
CLOSE = """mutation($input: CloseProjectInput!) {
  closeProject(input: $input) { project { id closed } consistencyToken } }"""


async def test_the_cso_of_open_projects_is_refused_with_rule_violated_naming_the_projects(
    gql: OverHttp,
) -> None:
    project_id, officer_id = await support.project_with_cso(gql)
    other_project = (await support.project(gql))["project"]["id"]
    await gql(support.ASSIGN_CSO, {"input": {"projectId": other_project, "officerId": officer_id}})
    for query, fields in (
        (DEACTIVATE, {"officerId": officer_id}),
        (CHANGE_ROLES, {"officerId": officer_id, "roles": []}),
    ):
        reply = await gql(query, {"input": fields})
        assert reply.code == "RULE_VIOLATED"
        assert project_id in reply.error["message"]
        assert other_project in reply.error["message"]


async def test_after_reassignment_the_former_cso_can_be_deactivated(gql: OverHttp) -> None:
    project_id, officer_id = await support.project_with_cso(gql)
    successor = (await support.officer(gql))["officer"]["id"]
    await gql(
        support.ASSIGN_CSO,
        {"input": {"projectId": project_id, "officerId": successor, "reason": "轮岗"}},
    )
    roles = await gql(CHANGE_ROLES, {"input": {"officerId": officer_id, "roles": []}})
    assert roles.data["changeOfficerRoles"]["officer"]["roles"] == []
    reply = await gql(DEACTIVATE, {"input": {"officerId": officer_id}})
    assert reply.data["deactivateOfficer"]["officer"]["active"] is False


async def test_after_the_project_closes_its_cso_can_be_deactivated(gql: OverHttp) -> None:
    project_id, officer_id = await support.project_with_cso(gql)
    closed = await gql(CLOSE, {"input": {"projectId": project_id, "outcome": "CANCELLED"}})
    assert closed.data["closeProject"]["project"]["closed"] is True
    reply = await gql(DEACTIVATE, {"input": {"officerId": officer_id}})
    assert reply.data["deactivateOfficer"]["officer"]["active"] is False


async def test_an_assignment_racing_a_deactivation_on_two_processes_lets_exactly_one_through(
    gql: OverHttp, api: Api, second_api: Api
) -> None:
    async with httpx.AsyncClient(base_url=second_api.url, timeout=30) as other:
        elsewhere = OverHttp(other, second_api.secret)
        for _ in range(8):
            project_id = (await support.project(gql))["project"]["id"]
            officer_id = (await support.officer(gql))["officer"]["id"]
            assigned, deactivated = await asyncio.gather(
                gql(
                    support.ASSIGN_CSO,
                    {"input": {"projectId": project_id, "officerId": officer_id}},
                ),
                elsewhere(DEACTIVATE, {"input": {"officerId": officer_id}}),
            )
            failed = [r for r in (assigned, deactivated) if r.body.get("errors")]
            assert len(failed) == 1  # never both, never neither
            assert failed[0].code == "RULE_VIOLATED"
