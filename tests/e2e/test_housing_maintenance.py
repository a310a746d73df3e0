"""Units in maintenance over HTTP (who may, the reason, the status); suggestedUnits(first:)."""

from __future__ import annotations

import httpx
import pytest

from cso.services.identity import Role
from tests.e2e.conftest import Api
from tests.e2e.test_housing import ALLOCATE, LEASE_END, approved, unit
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

START = """mutation($input: StartUnitMaintenanceInput!) {
  startUnitMaintenance(input: $input) { consistencyToken unit { id status } } }"""
END = """mutation($input: EndUnitMaintenanceInput!) {
  endUnitMaintenance(input: $input) { consistencyToken unit { id status } } }"""


@pytest.fixture
def gql(client: httpx.AsyncClient, api: Api) -> OverHttp:
    return OverHttp(client, api.secret)


async def test_a_caso_takes_a_unit_into_maintenance_and_back_and_nobody_is_allocated_it(
    gql: OverHttp,
) -> None:
    application_id, caso = await approved(gql, "A", household=1)
    unit_id = await unit(gql, rooms=1)
    as_caso = {"role": Role.OFFICER, "sub": caso}
    started = await gql(START, {"input": {"unitId": unit_id, "reason": "漏水维修"}}, **as_caso)
    assert started.data["startUnitMaintenance"]["unit"] == {"id": unit_id, "status": "MAINTENANCE"}
    fields = {"applicationId": application_id, "unitId": unit_id, "leaseEnd": LEASE_END}
    refused = await gql(ALLOCATE, {"input": fields}, **as_caso)
    assert refused.code == "RULE_VIOLATED"
    again = await gql(START, {"input": {"unitId": unit_id, "reason": "再修"}})
    assert again.code == "RULE_VIOLATED"
    ended = await gql(END, {"input": {"unitId": unit_id}})
    assert ended.data["endUnitMaintenance"]["unit"] == {"id": unit_id, "status": "AVAILABLE"}
    assert (await gql(END, {"input": {"unitId": unit_id}})).code == "RULE_VIOLATED"


async def test_maintenance_needs_a_reason_and_an_officer_who_can_serve_as_caso(
    gql: OverHttp,
) -> None:
    unit_id = await unit(gql)
    no_reason = await gql(START, {"input": {"unitId": unit_id}})
    assert (no_reason.code, no_reason.error["extensions"]["field"]) == ("INVALID_INPUT", "reason")
    cso = (await support.officer(gql, roles=["CSO"]))["officer"]["id"]
    forbidden = await gql(
        START, {"input": {"unitId": unit_id, "reason": "漏水"}}, role=Role.OFFICER, sub=cso
    )
    assert forbidden.code == "FORBIDDEN"
    viewer = await gql(START, {"input": {"unitId": unit_id, "reason": "漏水"}}, role=Role.VIEWER)
    assert viewer.code == "FORBIDDEN"


@pytest.mark.parametrize("first", [-5, 101, 1000])
async def test_suggested_units_refuse_a_first_outside_0_to_100_as_lists_do(
    gql: OverHttp, first: int
) -> None:
    application_id, _ = await approved(gql)
    reply = await gql(
        """query($id: ID!, $first: Int!) { housingApplication(id: $id) {
             suggestedUnits(first: $first) { id } } }""",
        {"id": application_id, "first": first},
    )
    assert (reply.code, reply.error["extensions"]["field"]) == ("INVALID_INPUT", "first")
