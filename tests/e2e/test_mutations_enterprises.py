"""establishChain, designateChainMaster, registerEnterprise, recordPartyOrganization."""

from __future__ import annotations

import pytest

from cso.services.identity import Role
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

DESIGNATE = support.mutation("designateChainMaster", "chain { id version masters { id name } }")

RECORD_ORGANISATION = """
mutation($input: RecordPartyOrganizationInput!) {
  recordPartyOrganization(input: $input) {
    enterprise { partyOrganization partyMemberCount organisationCovered workCovered version }
  }
}"""


async def test_a_supervisor_establishes_a_chain(gql: OverHttp) -> None:
    name = support.unique("生物医药")
    reply = await gql(
        """mutation($input: EstablishChainInput!) { establishChain(input: $input) {
             chain { name leader leadDepartment masters { id } version } consistencyToken } }""",
        {"input": {"name": name, "leader": "张区长", "leadDepartment": "区卫健局"}},
    )
    assert reply.data["establishChain"]["chain"] == {
        "name": name,
        "leader": "张区长",
        "leadDepartment": "区卫健局",
        "masters": [],
        "version": 1,
    }


async def test_a_chain_name_is_taken_once(gql: OverHttp) -> None:
    name = (await support.chain(gql))["chain"]["name"]
    reply = await gql(
        support.ESTABLISH_CHAIN,
        {"input": {"name": name, "leader": "张区长", "leadDepartment": "区卫健局"}},
    )
    assert reply.code == "RULE_VIOLATED"


async def test_a_supervisor_designates_a_chain_master_once(gql: OverHttp) -> None:
    chain_id = (await support.chain(gql))["chain"]["id"]
    enterprise = (await support.enterprise(gql, chainId=chain_id))["enterprise"]
    variables = {"input": {"chainId": chain_id, "enterpriseId": enterprise["id"]}}
    reply = await gql(DESIGNATE, variables)
    chain = reply.data["designateChainMaster"]["chain"]
    assert chain["masters"] == [{"id": enterprise["id"], "name": enterprise["name"]}]
    assert chain["version"] == 2
    assert (await gql(DESIGNATE, variables)).code == "RULE_VIOLATED"


async def test_an_officer_registers_an_enterprise(gql: OverHttp) -> None:
    chain = (await support.chain(gql))["chain"]
    code = support.credit_code()
    reply = await gql(
        """mutation($input: RegisterEnterpriseInput!) { registerEnterprise(input: $input) {
             enterprise { name creditCode district park sme chain { id name }
                          partyOrganization organisationCovered workCovered } } }""",
        {
            "input": {
                "name": "广州链上科技有限公司",
                "creditCode": code.lower(),
                "district": "黄埔区",
                "park": "科学城",
                "sme": True,
                "chainId": chain["id"],
            }
        },
        role=Role.OFFICER,
    )
    assert reply.data["registerEnterprise"]["enterprise"] == {
        "name": "广州链上科技有限公司",
        "creditCode": code,
        "district": "黄埔区",
        "park": "科学城",
        "sme": True,
        "chain": {"id": chain["id"], "name": chain["name"]},
        "partyOrganization": "NONE",
        "organisationCovered": False,
        "workCovered": False,
    }


async def test_a_bad_credit_code_is_invalid_input_on_credit_code(gql: OverHttp) -> None:
    code = support.credit_code()
    wrong_check = code[:17] + ("0" if code[17] != "0" else "1")
    reply = await gql(
        support.REGISTER_ENTERPRISE,
        {"input": {"name": "某公司", "creditCode": wrong_check, "district": "黄埔区", "sme": True}},
    )
    assert reply.code == "INVALID_INPUT"
    assert reply.error["extensions"]["field"] == "creditCode"


async def test_a_credit_code_is_registered_once(gql: OverHttp) -> None:
    code = support.credit_code()
    await support.enterprise(gql, creditCode=code)
    reply = await gql(
        support.REGISTER_ENTERPRISE,
        {"input": {"name": "另一家", "creditCode": code, "district": "黄埔区", "sme": False}},
    )
    assert reply.code == "RULE_VIOLATED"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AUDITOR])
async def test_viewers_and_auditors_register_no_enterprise(gql: OverHttp, role: Role) -> None:
    reply = await gql(
        support.REGISTER_ENTERPRISE,
        {
            "input": {
                "name": "某公司",
                "creditCode": support.credit_code(),
                "district": "黄埔区",
                "sme": True,
            }
        },
        role=role,
    )
    assert reply.code == "FORBIDDEN"


async def test_a_supervisor_records_a_party_organisation(gql: OverHttp) -> None:
    enterprise_id = (await support.enterprise(gql))["enterprise"]["id"]
    reply = await gql(
        RECORD_ORGANISATION,
        {"input": {"enterpriseId": enterprise_id, "kind": "BRANCH", "memberCount": 5}},
    )
    assert reply.data["recordPartyOrganization"]["enterprise"] == {
        "partyOrganization": "BRANCH",
        "partyMemberCount": 5,
        "organisationCovered": True,
        "workCovered": True,
        "version": 3,  # the organisation, then the coverage it changed (CoverageChanged)
    }


async def test_a_branch_of_two_members_breaks_a_rule(gql: OverHttp) -> None:
    enterprise_id = (await support.enterprise(gql))["enterprise"]["id"]
    reply = await gql(
        RECORD_ORGANISATION,
        {"input": {"enterpriseId": enterprise_id, "kind": "BRANCH", "memberCount": 2}},
    )
    assert reply.code == "RULE_VIOLATED"
    assert "at least 3" in reply.error["message"]
