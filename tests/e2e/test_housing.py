"""Talent housing over HTTP: every mutation, the rules' refusals and their codes, the race
for one unit across two API processes, out-of-order allocation, and masking by role."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from cso.services.identity import Role
from tests.e2e.conftest import Api
from tests.id_numbers import an_id_number
from tests.integration.graphql import support
from tests.integration.graphql.support import Body, OverHttp, Reply

# Within the five years a lease may run (`cso.domain.date_bounds`), whatever day tests run.
LEASE_END = (date.today() + timedelta(days=730)).isoformat()
RENEWED_END = (date.today() + timedelta(days=1095)).isoformat()
ID_NUMBER = an_id_number()  # this run's person for the masking test

LIST_UNIT = """mutation($input: ListHousingUnitInput!) {
  listHousingUnit(input: $input) { consistencyToken unit { id status capacity rooms } } }"""
APPLY = """mutation($input: ApplyForHousingInput!) {
  applyForHousing(input: $input) { application { id status idNumber phone } } }"""
ASSIGN_CASO = """mutation($input: AssignCasoInput!) {
  assignCaso(input: $input) { application { id caso { id } } } }"""
APPROVE = """mutation($input: ApproveHousingApplicationInput!) {
  approveHousingApplication(input: $input) { application { id status waitlistPosition } } }"""
REJECT = """mutation($input: RejectHousingApplicationInput!) {
  rejectHousingApplication(input: $input) { application { id status } } }"""
ALLOCATE = """mutation($input: AllocateHousingUnitInput!) {
  allocateHousingUnit(input: $input) {
    consistencyToken
    application { id status waitlistPosition allocatedOutOfOrder
      allocation { on waitlistPosition reason unit { id }
        passedOver { id tier waitlistPosition } } }
    unit { id status application { id } } } }"""
MOVE_IN = """mutation($input: RecordMoveInput!) {
  recordMoveIn(input: $input) { application { status movedInOn } unit { status } } }"""
MOVE_OUT = """mutation($input: RecordMoveInput!) {
  recordMoveOut(input: $input) { application { status endedOn caso { id } } unit { status } } }"""
RENEW = """mutation($input: RenewLeaseInput!) {
  renewLease(input: $input) { application { leaseEnd } } }"""
DEACTIVATE = """mutation($input: DeactivateOfficerInput!) {
  deactivateOfficer(input: $input) { officer { id } } }"""
APPLICATION = """query($id: ID!, $version: Int) {
  housingApplication(id: $id, version: $version) {
    id version status applicantName idNumber phone tier householdSize waitlistPosition
    suggestedUnits(first: 3) { id capacity monthlyRent } } }"""
APPLICATIONS = """query($filter: HousingApplicationFilter) {
  housingApplications(first: 100, filter: $filter) { totalCount edges { node { id } } } }"""
UNITS = """query($filter: HousingUnitFilter) {
  housingUnits(first: 100, filter: $filter) { totalCount edges { node { id capacity } } } }"""


async def unit(gql: OverHttp, rooms: int = 2, rent: str = "2300.00") -> str:
    reply = await gql(
        LIST_UNIT,
        {
            "input": {
                "building": "琶洲人才公寓5栋",
                "unitNo": uuid.uuid4().hex[:10],
                "rooms": rooms,
                "areaSqm": "72.50",
                "monthlyRent": rent,
            }
        },
    )
    found: str = reply.data["listHousingUnit"]["unit"]["id"]
    return found


async def submitted(
    gql: OverHttp, tier: str = "B", household: int = 2, id_number: str | None = None
) -> tuple[str, str]:
    """A submitted application with a CASO: (application id, CASO id), of a new person
    unless `id_number` names one."""
    employer = (await support.enterprise(gql))["enterprise"]["id"]
    reply = await gql(
        APPLY,
        {
            "input": {
                "applicantName": "张三",
                "idNumber": id_number or an_id_number(),
                "phone": "13912345678",
                "employerId": employer,
                "tier": tier,
                "householdSize": household,
            }
        },
    )
    application_id: str = reply.data["applyForHousing"]["application"]["id"]
    caso: str = (await support.officer(gql, roles=["CASO"]))["officer"]["id"]
    assigned = await gql(
        ASSIGN_CASO, {"input": {"applicationId": application_id, "officerId": caso}}
    )
    assert assigned.data["assignCaso"]["application"]["caso"]["id"] == caso
    return application_id, caso


async def approved(gql: OverHttp, tier: str = "B", household: int = 2) -> tuple[str, str]:
    application_id, caso = await submitted(gql, tier, household)
    reply = await gql(
        APPROVE, {"input": {"applicationId": application_id}}, role=Role.OFFICER, sub=caso
    )
    assert reply.data["approveHousingApplication"]["application"]["status"] == "APPROVED"
    return application_id, caso


async def test_a_tenancy_runs_from_application_to_move_out_over_http(gql: OverHttp) -> None:
    application_id, caso = await approved(gql, "A", household=1)
    unit_id = await unit(gql, rooms=1)
    as_caso: dict[str, Any] = {"role": Role.OFFICER, "sub": caso}
    allocated = await gql(
        ALLOCATE,
        {
            "input": {
                "applicationId": application_id,
                "unitId": unit_id,
                "leaseEnd": LEASE_END,
                "reason": "e2e：不论先后",
            }
        },
        **as_caso,
    )
    body = allocated.data["allocateHousingUnit"]
    assert body["application"]["status"] == "ALLOCATED"
    assert body["application"]["allocation"]["unit"]["id"] == unit_id
    assert body["unit"]["status"] == "ALLOCATED"
    assert body["unit"]["application"]["id"] == application_id
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()  # the district's
    moved_in = await gql(
        MOVE_IN, {"input": {"applicationId": application_id, "on": today}}, **as_caso
    )
    assert moved_in.data["recordMoveIn"]["unit"]["status"] == "OCCUPIED"
    renewed = await gql(
        RENEW, {"input": {"applicationId": application_id, "leaseEnd": RENEWED_END}}, **as_caso
    )
    assert renewed.data["renewLease"]["application"]["leaseEnd"] == RENEWED_END
    moved_out = await gql(
        MOVE_OUT, {"input": {"applicationId": application_id, "on": today}}, **as_caso
    )
    out = moved_out.data["recordMoveOut"]
    assert out["application"]["status"] == "ENDED" and out["unit"]["status"] == "AVAILABLE"
    replayed = await gql(APPLICATION, {"id": application_id, "version": 4})
    assert replayed.data["housingApplication"]["status"] == "ALLOCATED"


async def test_each_rule_refuses_with_its_code(gql: OverHttp) -> None:
    employer = (await support.enterprise(gql))["enterprise"]["id"]
    bad_id = await gql(
        APPLY,
        {
            "input": {
                "applicantName": "李四",
                "idNumber": "440105199003071230",
                "phone": "13912345678",
                "employerId": employer,
                "tier": "A",
                "householdSize": 1,
            }
        },
    )
    assert bad_id.code == "INVALID_INPUT" and bad_id.error["extensions"]["field"] == "idNumber"
    no_one = await gql(
        APPLY,
        {
            "input": {
                "applicantName": "李四",
                "idNumber": ID_NUMBER,
                "phone": "13912345678",
                "employerId": employer,
                "tier": "A",
                "householdSize": 0,
            }
        },
    )
    assert no_one.code == "INVALID_INPUT" and no_one.error["extensions"]["field"] == "householdSize"
    building_unit = {
        "building": "琶洲人才公寓6栋",
        "unitNo": uuid.uuid4().hex[:8],
        "rooms": 1,
        "areaSqm": "40",
        "monthlyRent": "900",
    }
    await gql(LIST_UNIT, {"input": building_unit})
    taken = await gql(LIST_UNIT, {"input": building_unit})
    assert taken.code == "RULE_VIOLATED"

    application_id, caso = await submitted(gql, household=3)
    as_caso: dict[str, Any] = {"role": Role.OFFICER, "sub": caso}
    no_reason = await gql(REJECT, {"input": {"applicationId": application_id}}, **as_caso)
    assert no_reason.code == "RULE_VIOLATED"
    stranger = (await support.officer(gql, roles=["CASO"]))["officer"]["id"]
    forbidden = await gql(
        APPROVE, {"input": {"applicationId": application_id}}, role=Role.OFFICER, sub=stranger
    )
    assert forbidden.code == "FORBIDDEN"
    viewer = await gql(APPROVE, {"input": {"applicationId": application_id}}, role=Role.VIEWER)
    assert viewer.code == "FORBIDDEN"
    early = await gql(
        ALLOCATE,
        {
            "input": {
                "applicationId": application_id,
                "unitId": await unit(gql),
                "leaseEnd": LEASE_END,
            }
        },
        **as_caso,
    )
    assert early.code == "RULE_VIOLATED"  # not approved yet
    await gql(APPROVE, {"input": {"applicationId": application_id}}, **as_caso)
    too_small = await gql(
        ALLOCATE,
        {
            "input": {
                "applicationId": application_id,
                "unitId": await unit(gql, rooms=1),
                "leaseEnd": LEASE_END,
                "reason": "试",
            }
        },
        **as_caso,
    )
    assert too_small.code == "RULE_VIOLATED" and "fits at most 2" in too_small.error["message"]
    busy = await gql(DEACTIVATE, {"input": {"officerId": caso}})
    assert busy.code == "RULE_VIOLATED" and application_id in busy.error["message"]
    missing = await gql(APPROVE, {"input": {"applicationId": str(uuid.uuid4())}})
    assert missing.code == "NOT_FOUND"


async def test_allocating_out_of_waitlist_order_needs_a_reason_and_auditors_can_list_it(
    gql: OverHttp,
) -> None:
    first_id, _ = await approved(gql, "A", household=2)
    later_id, later_caso = await approved(gql, "D", household=2)
    unit_id = await unit(gql, rooms=1)
    fields = {"applicationId": later_id, "unitId": unit_id, "leaseEnd": LEASE_END}
    refused = await gql(ALLOCATE, {"input": fields}, role=Role.OFFICER, sub=later_caso)
    assert refused.code == "RULE_VIOLATED" and first_id in refused.error["message"]
    reply = await gql(
        ALLOCATE,
        {"input": {**fields, "reason": "夜班医护，就近安置"}},
        role=Role.OFFICER,
        sub=later_caso,
    )
    application = reply.data["allocateHousingUnit"]["application"]
    assert application["allocatedOutOfOrder"] is True
    assert application["allocation"]["reason"] == "夜班医护，就近安置"
    passed = {p["id"]: p for p in application["allocation"]["passedOver"]}
    assert passed[first_id]["tier"] == "A"
    assert passed[first_id]["waitlistPosition"] < application["allocation"]["waitlistPosition"]
    token = reply.data["allocateHousingUnit"]["consistencyToken"]
    listed = await gql(
        APPLICATIONS,
        {"filter": {"allocatedOutOfOrder": True}},
        role=Role.AUDITOR,
        headers={"X-Consistency-Token": token},
    )
    ids = [e["node"]["id"] for e in listed.data["housingApplications"]["edges"]]
    assert later_id in ids and first_id not in ids
    waiting = await gql(APPLICATION, {"id": first_id}, headers={"X-Consistency-Token": token})
    first = waiting.data["housingApplication"]
    assert first["waitlistPosition"] >= 1
    assert all(u["capacity"] >= 2 for u in first["suggestedUnits"])


async def test_two_api_processes_racing_for_one_unit_allocate_it_once(
    client: httpx.AsyncClient, api: Api, second_api: Api
) -> None:
    gql = OverHttp(client, api.secret)
    first_id, first_caso = await approved(gql, "C")
    second_id, second_caso = await approved(gql, "C")
    unit_id = await unit(gql)
    async with httpx.AsyncClient(base_url=second_api.url, timeout=30) as other_client:
        other = OverHttp(other_client, second_api.secret)

        async def allocate(send: OverHttp, application_id: str, caso: str) -> Reply:
            return await send(
                ALLOCATE,
                {
                    "input": {
                        "applicationId": application_id,
                        "unitId": unit_id,
                        "leaseEnd": LEASE_END,
                        "reason": "竞争",
                    }
                },
                role=Role.OFFICER,
                sub=caso,
            )

        replies = await asyncio.gather(
            allocate(gql, first_id, first_caso), allocate(other, second_id, second_caso)
        )
    codes = sorted(
        str(r.body.get("errors", [{}])[0].get("extensions", {}).get("code")) for r in replies
    )
    assert codes == ["None", "RULE_VIOLATED"]
    loser = second_id if replies[0].body.get("data", {}).get("allocateHousingUnit") else first_id
    lost = await gql(APPLICATION, {"id": loser, "version": 3})
    assert lost.data["housingApplication"]["status"] == "APPROVED"
    now = await gql(APPLICATION.replace("$version: Int", "$version: Int = null"), {"id": loser})
    assert now.data["housingApplication"]["status"] == "APPROVED"


async def test_id_number_and_phone_are_masked_but_for_the_caso_and_supervisors(
    gql: OverHttp,
) -> None:
    application_id, caso = await submitted(gql, id_number=ID_NUMBER)
    other = (await support.officer(gql, roles=["CASO"]))["officer"]["id"]
    seen: dict[str, Body] = {}
    for who, kwargs in {
        "supervisor": {},
        "caso": {"role": Role.OFFICER, "sub": caso},
        "other officer": {"role": Role.OFFICER, "sub": other},
        "viewer": {"role": Role.VIEWER},
    }.items():
        reply = await gql(APPLICATION, {"id": application_id}, **kwargs)
        seen[who] = reply.data["housingApplication"]
    for who in ("supervisor", "caso"):
        assert seen[who]["idNumber"] == ID_NUMBER and seen[who]["phone"] == "13912345678"
    for who in ("other officer", "viewer"):
        assert seen[who]["idNumber"] == ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
        assert seen[who]["phone"] == "139****5678"
        assert seen[who]["applicantName"] == "张三"


async def test_units_filter_by_the_household_they_fit(gql: OverHttp) -> None:
    await unit(gql, rooms=3)
    reply = await gql(UNITS, {"filter": {"fitsHousehold": 5, "status": "AVAILABLE"}})
    assert reply.data["housingUnits"]["totalCount"] >= 1
    assert all(e["node"]["capacity"] >= 5 for e in reply.data["housingUnits"]["edges"])
    bad = await gql(UNITS, {"filter": {"fitsHousehold": 0}})
    assert bad.code == "INVALID_INPUT"


async def test_the_dashboard_counts_the_waitlist_by_tier_and_the_occupancy(gql: OverHttp) -> None:
    query = "{ dashboard { housingOccupancyRate waitlistByTier { tier count } } }"
    before = (await gql(query)).data["dashboard"]
    application_id, caso = await approved(gql, "A", household=1)
    after = (await gql(query)).data["dashboard"]
    tiers = [t["tier"] for t in after["waitlistByTier"]]
    assert tiers == ["A", "B", "C", "D"]
    counts = {t["tier"]: t["count"] for t in after["waitlistByTier"]}
    earlier = {t["tier"]: t["count"] for t in before["waitlistByTier"]}
    assert counts["A"] == earlier.get("A", 0) + 1
    assert application_id and caso
    listed = await gql(
        LIST_UNIT,
        {
            "input": {
                "building": "琶洲人才公寓6栋",
                "unitNo": uuid.uuid4().hex[:10],
                "rooms": 1,
                "areaSqm": "40.00",
                "monthlyRent": "1500.00",
            }
        },
    )
    seen = await gql(
        """{ dashboard { housingOccupancyRate }
             all: housingUnits(first: 0) { totalCount }
             occupied: housingUnits(first: 0, filter: { status: OCCUPIED }) { totalCount } }""",
        headers={"X-Consistency-Token": listed.data["listHousingUnit"]["consistencyToken"]},
    )
    # OCCUPIED units over every unit listed, the same read model at the same point.
    occupied, units = seen.data["occupied"]["totalCount"], seen.data["all"]["totalCount"]
    assert units >= 1
    assert seen.data["dashboard"]["housingOccupancyRate"] == occupied / units


async def test_a_replayed_application_gives_its_waitlist_position_at_that_point(
    gql: OverHttp,
) -> None:
    at = """query($id: ID!, $version: Int, $asOf: DateTime) {
      housingApplication(id: $id, version: $version, asOf: $asOf) {
        version status waitlistPosition allocation { waitlistPosition } } }"""
    late_id, late_caso = await approved(gql, "D", household=1)
    when_approved = (await gql(at, {"id": late_id, "version": 3})).data["housingApplication"]
    assert when_approved["status"] == "APPROVED" and when_approved["waitlistPosition"] >= 1
    before_the_a = datetime.now(ZoneInfo("UTC")).isoformat()
    await approved(gql, "A", household=1)  # goes ahead of the tier D one
    then = await gql(at, {"id": late_id, "asOf": before_the_a})
    position_then = then.data["housingApplication"]["waitlistPosition"]
    assert position_then == when_approved["waitlistPosition"]
    now = await gql(at, {"id": late_id, "asOf": datetime.now(ZoneInfo("UTC")).isoformat()})
    position_now = now.data["housingApplication"]["waitlistPosition"]
    assert position_now == when_approved["waitlistPosition"] + 1
    await gql(
        ALLOCATE,
        {
            "input": {
                "applicationId": late_id,
                "unitId": await unit(gql, rooms=1),
                "leaseEnd": LEASE_END,
                "reason": "e2e：时间旅行",
            }
        },
        role=Role.OFFICER,
        sub=late_caso,
    )
    allocated = (await gql(at, {"id": late_id, "version": 4})).data["housingApplication"]
    assert allocated["status"] == "ALLOCATED" and allocated["waitlistPosition"] is None
    assert allocated["allocation"]["waitlistPosition"] == position_now
    still = (await gql(at, {"id": late_id, "version": 3})).data["housingApplication"]
    assert still["waitlistPosition"] == when_approved["waitlistPosition"]


async def test_a_version_beyond_the_latest_is_not_found_for_units_and_applications(
    gql: OverHttp,
) -> None:
    application_id, _ = await submitted(gql)  # versions 1 and 2: submitted, CASO assigned
    unit_id = await unit(gql)  # version 1: listed
    application = (
        "query($id: ID!, $v: Int) { housingApplication(id: $id, version: $v) { version } }"
    )
    unit_at = "query($id: ID!, $v: Int) { housingUnit(id: $id, version: $v) { version } }"
    assert (await gql(application, {"id": application_id, "v": 3})).code == "NOT_FOUND"
    assert (await gql(unit_at, {"id": unit_id, "v": 2})).code == "NOT_FOUND"
    latest = await gql(application, {"id": application_id, "v": 2})
    assert latest.data["housingApplication"]["version"] == 2
    assert (await gql(unit_at, {"id": unit_id, "v": 0})).code == "INVALID_INPUT"
