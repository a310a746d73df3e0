"""An idempotency key is spent by a request that changed nothing; "-0" is "0.00"; a phone
with few digits shows none of them to a viewer (issue 12, faults 9, 10 and 12)."""

from __future__ import annotations

from cso.services.identity import Role
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

CHANGE_ROLES = support.mutation("changeOfficerRoles", "officer { version } consistencyToken")
OFFICER = "query($id: ID!) { officer(id: $id) { version roles phone } }"
PROJECT = "query($id: ID!) { project(id: $id) { investment history { data } } }"


async def test_a_key_whose_first_request_changed_nothing_is_kept(gql: OverHttp) -> None:
    officer_id = (await support.officer(gql, roles=["CSO"]))["officer"]["id"]
    key = support.unique("k")
    same = {"input": {"officerId": officer_id, "roles": ["CSO"], "idempotencyKey": key}}
    first = await gql(CHANGE_ROLES, same)
    assert first.data["changeOfficerRoles"]["officer"]["version"] == 1  # nothing changed

    other = {"input": {"officerId": officer_id, "roles": ["CASO"], "idempotencyKey": key}}
    refused = await gql(CHANGE_ROLES, other)
    assert refused.code == "INVALID_INPUT"
    assert refused.error["extensions"]["field"] == "idempotencyKey"

    retry = await gql(CHANGE_ROLES, same)
    assert retry.data == first.data
    token = first.data["changeOfficerRoles"]["consistencyToken"]
    seen = await gql(OFFICER, {"id": officer_id}, headers={"X-Consistency-Token": token})
    assert seen.data["officer"]["version"] == 1
    assert seen.data["officer"]["roles"] == ["CSO"]


async def test_an_investment_of_minus_zero_is_stored_and_shown_as_zero(gql: OverHttp) -> None:
    registered = await support.project(gql, investment="-0")
    project_id = registered["project"]["id"]
    reply = await gql(
        PROJECT, {"id": project_id}, headers={"X-Consistency-Token": registered["consistencyToken"]}
    )
    assert reply.data["project"]["investment"] == "0.00"
    (registered_event,) = [e for e in reply.data["project"]["history"] if "investment" in e["data"]]
    assert registered_event["data"]["investment"] == "0.00"


async def test_a_phone_with_few_digits_shows_none_of_them_to_a_viewer(gql: OverHttp) -> None:
    officer = await support.officer(gql, phone="1-2-3-4-5")
    reply = await gql(
        OFFICER,
        {"id": officer["officer"]["id"]},
        role=Role.VIEWER,
        headers={"X-Consistency-Token": officer["consistencyToken"]},
    )
    shown = reply.data["officer"]["phone"]
    assert not any(c.isdigit() for c in shown), shown
