"""What every mutation shares: expectedVersion, idempotency keys, the consistency token."""

from __future__ import annotations

from cso.services.identity import Role
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

CHANGE_ROLES = support.mutation("changeOfficerRoles", "officer { version } consistencyToken")

HISTORY = """query($id: ID!) { officer(id: $id) { version history { type } } }"""


async def test_a_stale_expected_version_is_a_conflict_naming_the_current_version(
    gql: OverHttp,
) -> None:
    officer_id = (await support.officer(gql))["officer"]["id"]
    await gql(CHANGE_ROLES, {"input": {"officerId": officer_id, "roles": ["CASO"]}})
    reply = await gql(
        CHANGE_ROLES,
        {"input": {"officerId": officer_id, "roles": ["CSO"], "expectedVersion": 1}},
    )
    assert reply.code == "CONFLICT"
    assert reply.error["extensions"]["currentVersion"] == 2


async def test_the_current_expected_version_is_accepted(gql: OverHttp) -> None:
    officer_id = (await support.officer(gql))["officer"]["id"]
    reply = await gql(
        CHANGE_ROLES,
        {"input": {"officerId": officer_id, "roles": ["CASO"], "expectedVersion": 1}},
    )
    assert reply.data["changeOfficerRoles"]["officer"]["version"] == 2


async def test_a_retry_with_the_same_idempotency_key_gives_the_same_token_and_one_event(
    gql: OverHttp,
) -> None:
    officer_id = (await support.officer(gql))["officer"]["id"]
    variables = {
        "input": {"officerId": officer_id, "roles": ["CASO"], "idempotencyKey": support.unique("k")}
    }
    first = await gql(CHANGE_ROLES, variables)
    retry = await gql(CHANGE_ROLES, variables)
    token = first.data["changeOfficerRoles"]["consistencyToken"]
    assert retry.data["changeOfficerRoles"]["consistencyToken"] == token
    # The officer is read from its read model: wait for it to include the write.
    seen = await gql(HISTORY, {"id": officer_id}, headers={"X-Consistency-Token": token})
    history = seen.data["officer"]["history"]
    assert [event["type"] for event in history] == ["Officer.Registered", "Officer.RolesChanged"]


async def test_a_mutation_sends_its_consistency_token_as_a_header(gql: OverHttp) -> None:
    reply = await gql(
        support.ESTABLISH_CHAIN,
        {
            "input": {
                "name": support.unique("新材料"),
                "leader": "刘区长",
                "leadDepartment": "区工信局",
            }
        },
    )
    token = reply.data["establishChain"]["consistencyToken"]
    assert reply.headers["x-consistency-token"] == token


async def test_a_query_sending_the_token_back_sees_the_write(gql: OverHttp) -> None:
    enterprise_id = (await support.enterprise(gql))["enterprise"]["id"]
    registered = await support.project(gql, enterprise_id, name="读己之写")
    reply = await gql(
        """query($id: ID!) { projects(filter: { enterpriseId: $id }) {
             edges { node { name stage } } } }""",
        {"id": enterprise_id},
        role=Role.VIEWER,
        headers={"X-Consistency-Token": registered["consistencyToken"]},
    )
    assert reply.data["projects"]["edges"] == [{"node": {"name": "读己之写", "stage": "SIGNED"}}]


async def test_a_malformed_consistency_token_is_invalid_input(gql: OverHttp) -> None:
    reply = await gql("{ me { id } }", headers={"X-Consistency-Token": "not a token"})
    assert reply.code == "INVALID_INPUT"


async def test_a_mutation_without_a_token_is_unauthenticated(gql: OverHttp) -> None:
    reply = await gql(
        support.ESTABLISH_CHAIN,
        {"input": {"name": "x", "leader": "y", "leadDepartment": "z"}},
        role=None,
    )
    assert reply.code == "UNAUTHENTICATED"
