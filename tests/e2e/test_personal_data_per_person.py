"""A key per person over HTTP: a person's applications share one subject and one key, one
is open at a time, and erasure of any of them erases the person everywhere."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest

from cso.services.identity import Role
from tests.e2e.conftest import Api
from tests.e2e.test_housing import APPLY, REJECT
from tests.e2e.test_personal_data import (
    ERASE,
    READ,
    a_person,
    accesses_of,
    applied,
    readable_in_tables,
    subject_of,
)
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

VERIFY_ERASED = "query($id: ID!) { verifyStream(streamId: $id) { ok personalDataErased } }"
KEYS = "SELECT count(*) FROM subject_keys WHERE subject_id = $1::uuid"
ERASED_BODY = {
    "applicantName": "[erased]",
    "idNumber": "[erased]",
    "phone": "[erased]",
}


@pytest.fixture
def gql(client: httpx.AsyncClient, api: Api) -> OverHttp:
    return OverHttp(client, api.secret)


async def keys_of_subject(database_url: str, subject: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        count: int = await conn.fetchval(KEYS, subject)
        return count
    finally:
        await conn.close()


async def rejected(gql: OverHttp, application_id: str, caso: str) -> None:
    reply = await gql(
        REJECT,
        {"input": {"applicationId": application_id, "reason": "收入超过申请标准"}},
        role=Role.OFFICER,
        sub=caso,
    )
    assert reply.data["rejectHousingApplication"]["application"]["status"] == "REJECTED"


async def read(gql: OverHttp, application_id: str) -> dict[str, object]:
    reply = await gql(READ, {"id": application_id})
    body: dict[str, object] = reply.data["housingApplication"]
    return body


async def test_a_person_with_an_open_application_cannot_apply_again_until_it_ends(
    gql: OverHttp, database_url: str
) -> None:
    person = a_person()
    first, caso = await applied(gql, person)
    employer = (await support.enterprise(gql))["enterprise"]["id"]
    again = {**person, "employerId": employer, "tier": "A", "householdSize": 1}
    refused = await gql(APPLY, {"input": again})
    assert refused.code == "RULE_VIOLATED"
    await rejected(gql, first, caso)
    second = (await gql(APPLY, {"input": again})).data["applyForHousing"]["application"]["id"]
    assert second != first
    # One person, one subject, one key: both applications open with it.
    subject = await subject_of(database_url, person["idNumber"])
    assert await keys_of_subject(database_url, subject) == 1
    for application_id in (first, second):
        assert (await read(gql, application_id))["idNumber"] == person["idNumber"]
    nodes = await accesses_of(gql, subject, 4)  # two apply payloads, two reads at least
    assert {n["subjectType"] for n in nodes} == {"HousingApplicant"}


async def test_erasing_one_application_erases_the_person_in_every_application(
    gql: OverHttp, database_url: str
) -> None:
    person = a_person()
    first, caso = await applied(gql, person)
    await rejected(gql, first, caso)
    employer = (await support.enterprise(gql))["enterprise"]["id"]
    again = {**person, "employerId": employer, "tier": "B", "householdSize": 2}
    second = (await gql(APPLY, {"input": again})).data["applyForHousing"]["application"]["id"]
    erased = await gql(ERASE, {"input": {"applicationId": second}})
    assert erased.data["erasePersonalData"]["application"]["personalDataErased"] is True
    for application_id in (first, second):
        assert {k: v for k, v in (await read(gql, application_id)).items() if k in ERASED_BODY} == (
            ERASED_BODY
        )
        old = await gql(READ, {"id": application_id, "version": 1})
        assert old.data["housingApplication"]["phone"] == "[erased]"
        verified = await gql(VERIFY_ERASED, {"id": application_id}, role=Role.AUDITOR)
        assert verified.data["verifyStream"] == {"ok": True, "personalDataErased": True}
    subject = await subject_of(database_url, person["idNumber"])
    assert await keys_of_subject(database_url, subject) == 0
    assert await readable_in_tables(database_url, person.values()) == []


async def test_a_person_applies_again_after_erasure_under_a_new_key_and_the_old_stays_erased(
    gql: OverHttp, database_url: str
) -> None:
    person = a_person()
    first, caso = await applied(gql, person)
    await gql(ERASE, {"input": {"applicationId": first}})
    await rejected(gql, first, caso)
    employer = (await support.enterprise(gql))["enterprise"]["id"]
    again = {**person, "employerId": employer, "tier": "C", "householdSize": 3}
    reply = await gql(APPLY, {"input": again})
    second = reply.data["applyForHousing"]["application"]["id"]
    assert reply.data["applyForHousing"]["application"]["idNumber"] == person["idNumber"]
    subject = await subject_of(database_url, person["idNumber"])
    assert await keys_of_subject(database_url, subject) == 1
    assert (await read(gql, first))["applicantName"] == "[erased]"
    assert (await read(gql, second))["applicantName"] == person["applicantName"]
    for application_id, erased in ((first, True), (second, False)):
        verified = await gql(VERIFY_ERASED, {"id": application_id}, role=Role.AUDITOR)
        assert verified.data["verifyStream"] == {"ok": True, "personalDataErased": erased}
    # The new application is erasable in its turn: the person's keys go again.
    await gql(ERASE, {"input": {"applicationId": second}})
    assert (await read(gql, second))["phone"] == "[erased]"
    assert await keys_of_subject(database_url, subject) == 0


async def test_two_submissions_of_one_id_number_at_once_exactly_one_wins(
    gql: OverHttp, database_url: str
) -> None:
    person = a_person()
    # Each through another employer, so no stream is shared: only the person's open
    # application reservation stands between them.
    employers = [(await support.enterprise(gql))["enterprise"]["id"] for _ in range(4)]
    bodies = [{**person, "employerId": e, "tier": "B", "householdSize": 2} for e in employers]
    replies = await asyncio.gather(*(gql(APPLY, {"input": body}) for body in bodies))
    won = [r for r in replies if (r.body.get("data") or {}).get("applyForHousing")]
    assert len(won) == 1
    assert sorted(r.code for r in replies if r not in won) == ["RULE_VIOLATED"] * 3
    subject = await subject_of(database_url, person["idNumber"])
    assert await keys_of_subject(database_url, subject) == 1
