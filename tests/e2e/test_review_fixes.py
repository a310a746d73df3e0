"""Review findings, reproduced over HTTP: each answers with its proper code, never INTERNAL."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from typer.testing import CliRunner

from cso.cli import app as cli
from cso.services.identity import Role
from tests.e2e.conftest import Api
from tests.integration.graphql import support
from tests.integration.graphql.support import Body, OverHttp

RAISE = """mutation($input: RaiseRequestInput!) {
  raiseRequest(input: $input) { requestId consistencyToken } }"""

SET_PLAN = """mutation($input: SetServicePlanInput!) {
  setServicePlan(input: $input) { project { version servicePlan { item } } consistencyToken } }"""

RECORD_SERVICE = """mutation($input: RecordServiceInput!) {
  recordService(input: $input) { serviceId consistencyToken } }"""

CHANGE_ROLES = """mutation($input: ChangeOfficerRolesInput!) {
  changeOfficerRoles(input: $input) { officer { roles version } consistencyToken } }"""

DEACTIVATE = """mutation($input: DeactivateOfficerInput!) {
  deactivateOfficer(input: $input) { officer { active } consistencyToken } }"""

RECORD_PARTY = """mutation($input: RecordPartyOrganizationInput!) {
  recordPartyOrganization(input: $input) {
    enterprise { version partyOrganization } consistencyToken } }"""

PROJECTS = """query($id: ID!) { projects(filter: { enterpriseId: $id }) {
  edges { node { name investment } } } }"""

OFFICER = """query($id: ID!) { officer(id: $id) { version history { type } } }"""


def field_of(reply: support.Reply) -> Any:
    return reply.error["extensions"].get("field")


async def escaped(
    client: httpx.AsyncClient, api: Api, query: str, variables: Body
) -> support.Reply:
    """Posted as ASCII JSON, the way a client writes a lone surrogate (as a \\u escape);
    httpx itself would fail to encode one."""
    token = api.token(Role.SUPERVISOR, sub=support.SUPERVISOR_ID)
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    return support.Reply(response.json())


async def _plan(gql: OverHttp, project_id: str, items: list[str], **extra: Any) -> support.Reply:
    return await gql(SET_PLAN, {"input": {"projectId": project_id, "items": items, **extra}})


# -- 1. investments the read model can hold ------------------------------------------


async def test_an_investment_of_ten_billion_wan_yuan_is_invalid_and_projects_still_project(
    gql: OverHttp,
) -> None:
    enterprise_id = (await support.enterprise(gql))["enterprise"]["id"]
    reply = await gql(
        support.REGISTER_PROJECT,
        {
            "input": support.project_input(
                enterprise_id, name="天价项目", investment="100000000000000000"
            )
        },
    )
    assert (reply.code, field_of(reply)) == ("INVALID_INPUT", "investment")
    largest = await support.project(gql, enterprise_id, name="万亿项目", investment="9999999999.99")
    listed = await gql(
        PROJECTS,
        {"id": enterprise_id},
        headers={"X-Consistency-Token": largest["consistencyToken"]},
    )
    assert listed.data["projects"]["edges"] == [
        {"node": {"name": "万亿项目", "investment": "9999999999.99"}}
    ]


# -- 2. who may act as CSO -------------------------------------------------------------


async def test_an_officer_token_whose_sub_is_not_a_uuid_is_unauthenticated(
    gql: OverHttp,
) -> None:
    reply = await gql("{ me { id } }", role=Role.OFFICER, sub="not-a-uuid")
    assert reply.code == "UNAUTHENTICATED"


async def test_the_cli_issues_officer_tokens_only_for_a_uuid_sub(
    client: httpx.AsyncClient, api: Api
) -> None:
    runner = CliRunner()
    env = {"CSO_JWT_SECRET": api.secret}
    refused = runner.invoke(cli, ["token", "--role", "officer", "--sub", "li-ming"], env=env)
    assert refused.exit_code != 0
    assert "UUID" in refused.output
    officer_id = str(uuid.uuid4())
    issued = runner.invoke(cli, ["token", "--role", "officer", "--sub", officer_id], env=env)
    assert issued.exit_code == 0, issued.output
    response = await client.post(
        "/graphql",
        json={"query": "{ me { id role } }"},
        headers={"Authorization": f"Bearer {issued.output.strip()}"},
    )
    assert response.json()["data"]["me"] == {"id": officer_id, "role": "officer"}


@pytest.mark.parametrize("missing", ["exp", "iat"])
async def test_a_token_without_exp_or_iat_is_unauthenticated(
    client: httpx.AsyncClient, api: Api, missing: str
) -> None:
    now = int(time.time())
    claims = {
        "sub": support.SUPERVISOR_ID,
        "role": "supervisor",
        "iat": now,
        "exp": now + 600,
    }
    del claims[missing]
    token = jwt.encode(claims, api.secret, algorithm="HS256")
    response = await client.post(
        "/graphql",
        json={"query": "{ me { id } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    body: Body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_cso_of_an_open_project_cannot_be_deactivated_and_keeps_acting(
    gql: OverHttp,
) -> None:
    project_id, officer_id = await support.project_with_cso(gql)
    refused = await gql(DEACTIVATE, {"input": {"officerId": officer_id}})
    assert refused.code == "RULE_VIOLATED"
    assert project_id in refused.error["message"]
    reply = await gql(
        RECORD_SERVICE,
        support.service_input(project_id),
        role=Role.OFFICER,
        sub=officer_id,
    )
    assert reply.data["recordService"]["serviceId"]


async def test_an_assignment_shows_on_the_officer_and_advances_their_row(gql: OverHttp) -> None:
    project_id = (await support.project(gql))["project"]["id"]
    officer_id = (await support.officer(gql))["officer"]["id"]
    assigned = await gql(
        support.ASSIGN_CSO, {"input": {"projectId": project_id, "officerId": officer_id}}
    )
    token = assigned.data["assignCso"]["consistencyToken"]
    officer = (await gql(OFFICER, {"id": officer_id}, headers={"X-Consistency-Token": token})).data[
        "officer"
    ]
    assert [event["type"] for event in officer["history"]] == [
        "Officer.Registered",
        "Officer.AssignedAsCso",
    ]
    assert officer["version"] == 2


# -- 3. an idempotency key belongs to one request --------------------------------------


async def test_a_key_reused_for_another_mutation_is_invalid_input_on_the_key(
    gql: OverHttp,
) -> None:
    key = support.unique("same")
    enterprise_id = (await support.enterprise(gql))["enterprise"]["id"]
    registered = await support.project(gql, enterprise_id, idempotencyKey=key)
    reply = await gql(
        RAISE,
        {
            "input": {
                "projectId": registered["project"]["id"],
                "category": "PERMIT",
                "description": "施工许可",
                "idempotencyKey": key,
            }
        },
    )
    assert (reply.code, field_of(reply)) == ("INVALID_INPUT", "idempotencyKey")
    assert "different request" in reply.error["message"]


async def test_a_key_reused_on_another_project_is_invalid_input_not_the_first_project(
    gql: OverHttp,
) -> None:
    key = support.unique("plan")
    first = (await support.project(gql))["project"]["id"]
    second = (await support.project(gql))["project"]["id"]
    await _plan(gql, first, ["代办"], idempotencyKey=key)
    reply = await _plan(gql, second, ["代办"], idempotencyKey=key)
    assert (reply.code, field_of(reply)) == ("INVALID_INPUT", "idempotencyKey")


async def test_the_same_request_with_the_same_key_still_replays_its_first_answer(
    gql: OverHttp,
) -> None:
    key = support.unique("retry")
    project_id = (await support.project(gql))["project"]["id"]
    first = await _plan(gql, project_id, ["代办"], idempotencyKey=key)
    again = await _plan(gql, project_id, ["代办"], idempotencyKey=key)
    token = first.data["setServicePlan"]["consistencyToken"]
    assert again.data["setServicePlan"]["consistencyToken"] == token


async def test_an_idempotency_key_over_200_characters_is_invalid_input(gql: OverHttp) -> None:
    project_id = (await support.project(gql))["project"]["id"]
    reply = await _plan(gql, project_id, ["代办"], idempotencyKey="k" * 201)
    assert (reply.code, field_of(reply)) == ("INVALID_INPUT", "idempotencyKey")


# -- 4. commands that change nothing ---------------------------------------------------


async def test_giving_an_officer_their_current_roles_succeeds_without_a_new_version(
    gql: OverHttp,
) -> None:
    officer_id = (await support.officer(gql, roles=["CSO"]))["officer"]["id"]
    reply = await gql(CHANGE_ROLES, {"input": {"officerId": officer_id, "roles": ["CSO"]}})
    payload = reply.data["changeOfficerRoles"]
    assert payload["officer"] == {"roles": ["CSO"], "version": 1}
    waited = await gql(
        "{ me { id } }", headers={"X-Consistency-Token": payload["consistencyToken"]}
    )
    assert waited.data["me"]


async def test_setting_the_same_service_plan_again_succeeds_without_a_new_version(
    gql: OverHttp,
) -> None:
    project_id = (await support.project(gql))["project"]["id"]
    first = (await _plan(gql, project_id, ["代办", "辅导"])).data["setServicePlan"]
    again = (await _plan(gql, project_id, ["代办", "辅导"])).data["setServicePlan"]
    assert again["project"] == first["project"]
    assert again["consistencyToken"]


async def test_recording_the_same_party_organisation_again_succeeds_without_a_new_version(
    gql: OverHttp,
) -> None:
    enterprise_id = (await support.enterprise(gql))["enterprise"]["id"]
    facts = {"enterpriseId": enterprise_id, "kind": "BRANCH", "memberCount": 5}
    first = (await gql(RECORD_PARTY, {"input": facts})).data["recordPartyOrganization"]
    again = (await gql(RECORD_PARTY, {"input": facts})).data["recordPartyOrganization"]
    assert (
        again["enterprise"] == first["enterprise"] == {"version": 3, "partyOrganization": "BRANCH"}
    )


# -- 5. text that cannot be stored -----------------------------------------------------


@pytest.mark.parametrize("name", ["李\u0000明", "李明\ud800"])
async def test_a_name_with_a_nul_or_a_lone_surrogate_is_invalid_input_on_name(
    client: httpx.AsyncClient, api: Api, name: str
) -> None:
    reply = await escaped(
        client,
        api,
        support.REGISTER_OFFICER,
        {
            "input": {
                "name": name,
                "department": "区投资促进局",
                "roles": ["CSO"],
                "partyMember": True,
                "phone": "13812345678",
            }
        },
    )
    assert (reply.code, field_of(reply)) == ("INVALID_INPUT", "name")


async def test_a_description_with_a_lone_surrogate_is_invalid_input_on_description(
    gql: OverHttp, client: httpx.AsyncClient, api: Api
) -> None:
    project_id = (await support.project(gql))["project"]["id"]
    reply = await escaped(
        client,
        api,
        RAISE,
        {"input": {"projectId": project_id, "category": "OTHER", "description": "A\ud800"}},
    )
    assert (reply.code, field_of(reply)) == ("INVALID_INPUT", "description")


async def test_a_service_plan_of_more_than_50_items_is_invalid_input_on_items(
    gql: OverHttp,
) -> None:
    project_id = (await support.project(gql))["project"]["id"]
    reply = await _plan(gql, project_id, [f"服务{n}" for n in range(51)])
    assert (reply.code, field_of(reply)) == ("INVALID_INPUT", "items")


@pytest.mark.parametrize("reason", ["原因\u0000", "r" * 4001])
async def test_a_reason_with_a_nul_or_over_4000_characters_is_invalid_input_on_reason(
    gql: OverHttp, reason: str
) -> None:
    project_id = (await support.project(gql))["project"]["id"]
    reply = await _plan(gql, project_id, ["代办"], reason=reason)
    assert (reply.code, field_of(reply)) == ("INVALID_INPUT", "reason")
