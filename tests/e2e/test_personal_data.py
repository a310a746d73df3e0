"""Personal data over HTTP: unmasked reads are recorded first and listed for auditors;
erasure leaves nothing readable in any table, and histories still verify."""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from cso.services.identity import Role
from cso.services.personal_data import person_subject
from tests.e2e.conftest import Api
from tests.e2e.test_housing import APPLY, ASSIGN_CASO
from tests.id_numbers import an_id_number
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

READ = """query($id: ID!, $version: Int) {
  housingApplication(id: $id, version: $version) {
    applicantName idNumber phone personalDataErased } }"""
ACCESSES = """query($filter: PersonalDataAccessFilter) {
  personalDataAccesses(first: 100, filter: $filter) {
    totalCount
    edges { node { at actor { id role } subjectId subjectType fields correlationId } } } }"""
ERASE = """mutation($input: ErasePersonalDataInput!) {
  erasePersonalData(input: $input) {
    consistencyToken application { applicantName idNumber phone personalDataErased } } }"""
VERIFY = "query($id: ID!) { verifyStream(streamId: $id) { ok eventsChecked } }"

# Every text and JSON column of every table, searched for a value.
TEXT_COLUMNS = """
SELECT table_schema, table_name, column_name FROM information_schema.columns
WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
  AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY', 'bytea')
"""


@pytest.fixture
def gql(client: httpx.AsyncClient, api: Api) -> OverHttp:
    return OverHttp(client, api.secret)


def a_person() -> dict[str, str]:
    return {
        "applicantName": f"擦除测试{uuid.uuid4().hex[:8]}",
        "idNumber": an_id_number(),
        "phone": f"139{random.randrange(10**8):08d}",
    }


async def applied(gql: OverHttp, person: dict[str, str]) -> tuple[str, str]:
    employer = (await support.enterprise(gql))["enterprise"]["id"]
    reply = await gql(
        APPLY,
        {"input": {**person, "employerId": employer, "tier": "B", "householdSize": 2}},
    )
    application_id: str = reply.data["applyForHousing"]["application"]["id"]
    caso: str = (await support.officer(gql, roles=["CASO"]))["officer"]["id"]
    await gql(ASSIGN_CASO, {"input": {"applicationId": application_id, "officerId": caso}})
    return application_id, caso


async def accesses_of(gql: OverHttp, subject_id: str, at_least: int) -> list[dict[str, Any]]:
    """The subject's recorded accesses, once the read model holds `at_least` (the log has
    them before the reads were answered; its read model follows within moments)."""
    for _ in range(100):
        listed = await gql(ACCESSES, {"filter": {"subjectId": subject_id}}, role=Role.AUDITOR)
        nodes = [e["node"] for e in listed.data["personalDataAccesses"]["edges"]]
        if len(nodes) >= at_least:
            return nodes
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} accesses to {subject_id} were listed")


async def subject_of(database_url: str, id_number: str) -> str:
    """The person's subject id, as the server finds it from their ID number."""
    conn = await asyncpg.connect(database_url)
    try:
        return str(await person_subject(conn, id_number))
    finally:
        await conn.close()


async def readable_in_tables(database_url: str, values: Any) -> list[tuple[str, str, str]]:
    """(table, column, value) wherever one of `values` is readable in any text or JSON
    column of any table."""
    conn = await asyncpg.connect(database_url)
    found = []
    try:
        for row in await conn.fetch(TEXT_COLUMNS):
            table = f'"{row["table_schema"]}"."{row["table_name"]}"'
            column = f'"{row["column_name"]}"'
            for value in values:
                hits = await conn.fetchval(
                    f"SELECT count(*) FROM {table} WHERE {column}::text LIKE $1",
                    f"%{value}%",
                )
                if hits:
                    found.append((table, column, value))
    finally:
        await conn.close()
    return found


async def test_unmasked_reads_are_recorded_with_actor_fields_and_correlation(
    gql: OverHttp, database_url: str
) -> None:
    person = a_person()
    application_id, caso = await applied(gql, person)
    correlation = str(uuid.uuid4())
    read = await gql(
        READ,
        {"id": application_id},
        role=Role.OFFICER,
        sub=caso,
        headers={"X-Correlation-ID": correlation},
    )
    assert read.data["housingApplication"]["idNumber"] == person["idNumber"]
    await gql(READ, {"id": application_id}, role=Role.VIEWER, sub=str(uuid.uuid4()))
    # The log names the person (their subject, found from the ID number), not the application.
    subject = await subject_of(database_url, person["idNumber"])
    nodes = await accesses_of(gql, subject, 3)  # the apply payload, caso, viewer
    by_caso = [n for n in nodes if n["actor"]["id"] == caso]
    assert by_caso and by_caso[0]["fields"] == ["applicantName", "idNumber", "phone"]
    assert by_caso[0]["correlationId"] == correlation
    assert by_caso[0]["subjectType"] == "HousingApplicant"
    by_viewer = [n for n in nodes if n["actor"]["role"] == "viewer"]
    assert by_viewer and by_viewer[0]["fields"] == ["applicantName"]  # the rest was masked
    forbidden = await gql(ACCESSES, {}, role=Role.VIEWER)
    assert forbidden.code == "FORBIDDEN"


async def test_erasure_leaves_nothing_readable_in_any_table_and_histories_verify(
    gql: OverHttp, database_url: str
) -> None:
    person = a_person()
    application_id, _ = await applied(gql, person)
    refused = await gql(
        ERASE,
        {"input": {"applicationId": application_id}},
        role=Role.OFFICER,
        sub=str(uuid.uuid4()),
    )
    assert refused.code == "FORBIDDEN"
    erased = await gql(ERASE, {"input": {"applicationId": application_id}})
    body: dict[str, Any] = erased.data["erasePersonalData"]["application"]
    assert body == {
        "applicantName": "[erased]",
        "idNumber": "[erased]",
        "phone": "[erased]",
        "personalDataErased": True,
    }
    replayed = await gql(READ, {"id": application_id, "version": 1})
    assert replayed.data["housingApplication"]["applicantName"] == "[erased]"
    viewer = await gql(READ, {"id": application_id}, role=Role.VIEWER)
    assert viewer.data["housingApplication"]["phone"] == "[erased]"
    verified = await gql(VERIFY, {"id": application_id}, role=Role.AUDITOR)
    assert verified.data["verifyStream"]["ok"] is True
    again = await gql(ERASE, {"input": {"applicationId": application_id}})
    assert again.data["erasePersonalData"]["application"]["personalDataErased"] is True

    assert await readable_in_tables(database_url, person.values()) == []
    # The search can find what is there: the application's id is in the events.
    assert await readable_in_tables(database_url, [application_id])
