"""registerOfficer, changeOfficerRoles, deactivateOfficer over HTTP."""

from __future__ import annotations

import pytest

from cso.services.identity import Role
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

CHANGE_ROLES = support.mutation(
    "changeOfficerRoles", "officer { id roles version } consistencyToken"
)

DEACTIVATE = support.mutation("deactivateOfficer", "officer { id active version } consistencyToken")


CHEN_JING = {
    "name": "陈静",
    "department": "区科技局",
    "roles": ["CSO"],
    "partyMember": True,
    "phone": "13912345678",
}


async def test_a_supervisor_registers_an_officer(gql: OverHttp) -> None:
    reply = await gql(
        """mutation($input: RegisterOfficerInput!) { registerOfficer(input: $input) {
             officer { id name department roles partyMember phone active version
                       createdAt updatedAt history { type } }
             consistencyToken } }""",
        {"input": {**CHEN_JING, "roles": ["CSO", "FIRST_SECRETARY"]}},
    )
    payload = reply.data["registerOfficer"]
    officer = payload["officer"]
    assert officer["name"] == "陈静"
    assert officer["roles"] == ["CSO", "FIRST_SECRETARY"]
    assert officer["phone"] == "13912345678"  # a supervisor reads it whole
    assert officer["active"] is True
    assert officer["version"] == 1
    assert officer["history"] == [{"type": "Officer.Registered"}]
    assert payload["consistencyToken"]
    assert reply.headers["x-consistency-token"] == payload["consistencyToken"]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AUDITOR, Role.OFFICER])
async def test_only_a_supervisor_registers_officers(gql: OverHttp, role: Role) -> None:
    reply = await gql(
        support.REGISTER_OFFICER,
        {"input": CHEN_JING},
        role=role,
    )
    assert reply.code == "FORBIDDEN"


async def test_a_malformed_phone_is_invalid_input_on_phone(gql: OverHttp) -> None:
    reply = await gql(
        support.REGISTER_OFFICER,
        {"input": {**CHEN_JING, "phone": "call me"}},
    )
    assert reply.code == "INVALID_INPUT"
    assert reply.error["extensions"]["field"] == "phone"


async def test_a_supervisor_changes_an_officers_roles(gql: OverHttp) -> None:
    officer_id = (await support.officer(gql))["officer"]["id"]
    reply = await gql(CHANGE_ROLES, {"input": {"officerId": officer_id, "roles": ["CASO"]}})
    assert reply.data["changeOfficerRoles"]["officer"] == {
        "id": officer_id,
        "roles": ["CASO"],
        "version": 2,
    }


async def test_a_supervisor_deactivates_an_officer_once(gql: OverHttp) -> None:
    officer_id = (await support.officer(gql))["officer"]["id"]
    first = await gql(DEACTIVATE, {"input": {"officerId": officer_id}})
    assert first.data["deactivateOfficer"]["officer"]["active"] is False
    again = await gql(DEACTIVATE, {"input": {"officerId": officer_id}})
    assert again.code == "RULE_VIOLATED"
    assert "already inactive" in again.error["message"]


async def test_changing_an_unknown_officer_is_not_found(gql: OverHttp) -> None:
    reply = await gql(
        CHANGE_ROLES,
        {"input": {"officerId": "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11", "roles": ["CSO"]}},
    )
    assert reply.code == "NOT_FOUND"


async def test_an_officer_id_that_is_no_uuid_is_invalid_input_on_officer_id(
    gql: OverHttp,
) -> None:
    reply = await gql(DEACTIVATE, {"input": {"officerId": "officer-7"}})
    assert reply.code == "INVALID_INPUT"
    assert reply.error["extensions"]["field"] == "officerId"
