"""Over HTTP: a caller whose role may never run a mutation hears so before any input is read."""

from __future__ import annotations

import pytest

from cso.services.identity import Role
from tests.integration.graphql.support import OverHttp

RECORD = """mutation($input: RecordServiceInput!) {
  recordService(input: $input) { serviceId consistencyToken } }"""
ASSIGN = """mutation($input: AssignCsoInput!) {
  assignCso(input: $input) { consistencyToken } }"""
REGISTER_PROJECT = """mutation($input: RegisterProjectInput!) {
  registerProject(input: $input) { consistencyToken } }"""
# A Date literal that cannot be parsed fails validation, before any resolver runs.
RECORD_WITH_A_BAD_LITERAL = """mutation { recordService(input: {
  projectId: "not-a-uuid", kind: VISIT, summary: "走访", occurredOn: "yesterday" }) {
  serviceId } }"""
THROUGH_A_FRAGMENT = """mutation { ...m } fragment m on Mutation {
  assignCso(input: { projectId: "not-a-uuid", officerId: "nor-this" }) { consistencyToken } }"""

MALFORMED_RECORD = {
    "input": {
        "projectId": "not-a-uuid",
        "kind": "VISIT",
        "summary": "走访",
        "occurredOn": "2026-11-01",
    }
}
MALFORMED_ASSIGN = {"input": {"projectId": "not-a-uuid", "officerId": "nor-this"}}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AUDITOR])
@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (RECORD, MALFORMED_RECORD),
        (ASSIGN, MALFORMED_ASSIGN),
        (RECORD_WITH_A_BAD_LITERAL, None),
        (THROUGH_A_FRAGMENT, None),
        (RECORD, {"input": {"projectId": 42}}),  # variables that cannot be coerced
    ],
)
async def test_a_role_that_makes_no_changes_is_forbidden_before_its_input_is_read(
    gql: OverHttp, role: Role, query: str, variables: dict[str, object] | None
) -> None:
    reply = await gql(query, variables, role=role)
    assert reply.code == "FORBIDDEN"
    assert reply.body["data"] is None


async def test_without_a_token_a_mutation_is_unauthenticated_before_its_input_is_read(
    gql: OverHttp,
) -> None:
    reply = await gql(RECORD, MALFORMED_RECORD, role=None)
    assert reply.code == "UNAUTHENTICATED"


async def test_an_officer_is_forbidden_a_supervisors_mutation_before_its_input_is_read(
    gql: OverHttp,
) -> None:
    reply = await gql(ASSIGN, MALFORMED_ASSIGN, role=Role.OFFICER)
    assert reply.code == "FORBIDDEN"


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR])
async def test_a_role_that_may_run_the_mutation_hears_about_its_malformed_input(
    gql: OverHttp, role: Role
) -> None:
    reply = await gql(
        REGISTER_PROJECT,
        {
            "input": {
                "enterpriseId": "not-a-uuid",
                "name": "项目",
                "investment": "100.00",
                "signedOn": "2026-11-01",
            }
        },
        role=role,
    )
    assert reply.code == "INVALID_INPUT"
    assert reply.error["extensions"]["field"] == "enterpriseId"


async def test_queries_stay_open_to_viewers(gql: OverHttp) -> None:
    reply = await gql("{ me { role } }", role=Role.VIEWER)
    assert reply.data["me"]["role"] == "viewer"
