"""registerProject, assignCso, the service plan and records, milestones and closing."""

from __future__ import annotations

from typing import Any

import pytest

from cso.services.identity import Role
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp, Reply

PROJECT_FIELDS = """project { id version stage closed closeReason
  cso { id } milestones { milestone on } servicePlan { item status }
  services { totalCount edges { node { kind summary occurredOn officer { id } } } } }"""

SET_PLAN = f"""mutation($input: SetServicePlanInput!) {{
  setServicePlan(input: $input) {{ {PROJECT_FIELDS} }} }}"""
COMPLETE_ITEM = f"""mutation($input: CompleteServiceItemInput!) {{
  completeServiceItem(input: $input) {{ {PROJECT_FIELDS} }} }}"""
RECORD_SERVICE = f"""mutation($input: RecordServiceInput!) {{
  recordService(input: $input) {{ serviceId {PROJECT_FIELDS} }} }}"""
REACH = f"""mutation($input: ReachMilestoneInput!) {{
  reachMilestone(input: $input) {{ {PROJECT_FIELDS} }} }}"""
CLOSE = f"""mutation($input: CloseProjectInput!) {{
  closeProject(input: $input) {{ {PROJECT_FIELDS} }} }}"""
ASSIGN = """mutation($input: AssignCsoInput!) { assignCso(input: $input) {
  project { cso { id name } csoAssignments { officer { id } from to reason } } } }"""


async def _reach(
    gql: OverHttp, project_id: str, milestone: str, on: str, role: Role = Role.SUPERVISOR
) -> Reply:
    return await gql(
        REACH, {"input": {"projectId": project_id, "milestone": milestone, "on": on}}, role=role
    )


async def test_an_officer_registers_a_project_signed_on_a_day(gql: OverHttp) -> None:
    chain_id = (await support.chain(gql))["chain"]["id"]
    enterprise_id = (await support.enterprise(gql, chainId=chain_id))["enterprise"]["id"]
    signed = support.days_ago(10)
    reply = await gql(
        """mutation($input: RegisterProjectInput!) { registerProject(input: $input) {
             project { name investment stage signedOn milestones { milestone on }
                       enterprise { id } chain { id } cso { id } closed } } }""",
        {
            "input": {
                "enterpriseId": enterprise_id,
                "name": "智能制造基地",
                "investment": "12500.00",
                "signedOn": signed,
            }
        },
        role=Role.OFFICER,
    )
    assert reply.data["registerProject"]["project"] == {
        "name": "智能制造基地",
        "investment": "12500.00",
        "stage": "SIGNED",
        "signedOn": signed,
        "milestones": [{"milestone": "SIGNED", "on": signed}],
        "enterprise": {"id": enterprise_id},
        "chain": {"id": chain_id},  # the enterprise's, when none is given
        "cso": None,
        "closed": False,
    }


async def test_an_investment_with_three_decimals_is_invalid_input(gql: OverHttp) -> None:
    enterprise_id = (await support.enterprise(gql))["enterprise"]["id"]
    reply = await gql(
        support.REGISTER_PROJECT,
        {"input": support.project_input(enterprise_id, name="项目", investment="1.005")},
    )
    assert reply.code == "INVALID_INPUT"
    assert reply.error["extensions"]["field"] == "investment"


async def test_a_project_for_an_unknown_enterprise_is_not_found(gql: OverHttp) -> None:
    reply = await gql(
        support.REGISTER_PROJECT,
        {
            "input": support.project_input(
                "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11", name="项目", investment="100"
            )
        },
    )
    assert reply.code == "NOT_FOUND"


async def test_a_supervisor_assigns_and_then_reassigns_the_cso_with_a_reason(
    gql: OverHttp,
) -> None:
    project_id, first_id = await support.project_with_cso(gql)
    second_id = (await support.officer(gql, name="周伟"))["officer"]["id"]
    without_reason = await gql(ASSIGN, {"input": {"projectId": project_id, "officerId": second_id}})
    assert without_reason.code == "RULE_VIOLATED"
    reply = await gql(
        ASSIGN, {"input": {"projectId": project_id, "officerId": second_id, "reason": "调岗"}}
    )
    project = reply.data["assignCso"]["project"]
    assert project["cso"] == {"id": second_id, "name": "周伟"}
    first, second = project["csoAssignments"]
    assert first["officer"] == {"id": first_id} and first["to"] is not None
    assert second == {
        "officer": {"id": second_id},
        "from": second["from"],
        "to": None,
        "reason": "调岗",
    }


async def test_an_officer_without_the_party_membership_cannot_be_cso(gql: OverHttp) -> None:
    project_id = (await support.project(gql))["project"]["id"]
    officer_id = (await support.officer(gql, partyMember=False))["officer"]["id"]
    reply = await gql(ASSIGN, {"input": {"projectId": project_id, "officerId": officer_id}})
    assert reply.code == "RULE_VIOLATED"
    assert "party member" in reply.error["message"]


async def test_the_cso_plans_completes_and_records_services(gql: OverHttp) -> None:
    project_id, officer_id = await support.project_with_cso(gql)

    async def as_cso(query: str, fields: dict[str, object]) -> Any:
        variables = {"input": {"projectId": project_id, **fields}}
        return (await gql(query, variables, role=Role.OFFICER, sub=officer_id)).data

    planned = await as_cso(SET_PLAN, {"items": ["代办审批", "政策辅导"]})
    assert planned["setServicePlan"]["project"]["servicePlan"] == [
        {"item": "代办审批", "status": "PLANNED"},
        {"item": "政策辅导", "status": "PLANNED"},
    ]
    completed = await as_cso(COMPLETE_ITEM, {"item": "政策辅导"})
    assert completed["completeServiceItem"]["project"]["servicePlan"][1] == {
        "item": "政策辅导",
        "status": "COMPLETED",
    }
    recorded = await as_cso(
        RECORD_SERVICE,
        {"kind": "VISIT", "summary": "走访企业", "occurredOn": support.days_ago(3)},
    )
    payload = recorded["recordService"]
    services = payload["project"]["services"]
    assert payload["serviceId"]
    assert services["totalCount"] == 1
    assert services["edges"][0]["node"] == {
        "kind": "VISIT",
        "summary": "走访企业",
        "occurredOn": support.days_ago(3),
        "officer": {"id": officer_id},
    }


async def test_an_officer_who_is_not_the_cso_is_forbidden(gql: OverHttp) -> None:
    project_id, _ = await support.project_with_cso(gql)
    other_id = (await support.officer(gql))["officer"]["id"]
    reply = await gql(
        SET_PLAN,
        {"input": {"projectId": project_id, "items": ["代办审批"]}},
        role=Role.OFFICER,
        sub=other_id,
    )
    assert reply.code == "FORBIDDEN"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AUDITOR])
async def test_viewers_and_auditors_change_no_project(gql: OverHttp, role: Role) -> None:
    project_id, _ = await support.project_with_cso(gql)
    reply = await _reach(gql, project_id, "SITE_SELECTED", support.days_ago(1), role=role)
    assert reply.code == "FORBIDDEN"


async def test_milestones_are_reached_in_order(gql: OverHttp) -> None:
    project_id, _ = await support.project_with_cso(gql)
    skipped = await _reach(gql, project_id, "LAND_DELIVERED", support.days_ago(5))
    assert skipped.code == "RULE_VIOLATED"
    assert "next milestone is SITE_SELECTED" in skipped.error["message"]
    reply = await _reach(gql, project_id, "SITE_SELECTED", support.days_ago(5))
    project = reply.data["reachMilestone"]["project"]
    assert project["stage"] == "SITE_SELECTED"
    assert project["milestones"][-1] == {"milestone": "SITE_SELECTED", "on": support.days_ago(5)}


async def test_a_milestone_in_the_future_breaks_a_rule(gql: OverHttp) -> None:
    project_id, _ = await support.project_with_cso(gql)
    reply = await _reach(gql, project_id, "SITE_SELECTED", "2999-01-01")
    assert reply.code == "RULE_VIOLATED"


async def test_a_date_that_is_no_date_is_invalid_input(gql: OverHttp) -> None:
    project_id, _ = await support.project_with_cso(gql)
    reply = await _reach(gql, project_id, "SITE_SELECTED", "yesterday")
    assert reply.code == "INVALID_INPUT"


async def test_a_cancelled_project_is_closed_with_its_reason_and_takes_nothing_more(
    gql: OverHttp,
) -> None:
    project_id, _ = await support.project_with_cso(gql)
    reply = await gql(
        CLOSE, {"input": {"projectId": project_id, "outcome": "CANCELLED", "reason": "企业撤资"}}
    )
    project = reply.data["closeProject"]["project"]
    assert (project["stage"], project["closed"], project["closeReason"]) == (
        "CLOSED",
        True,
        "企业撤资",
    )
    after = await gql(SET_PLAN, {"input": {"projectId": project_id, "items": ["代办审批"]}})
    assert after.code == "RULE_VIOLATED"
