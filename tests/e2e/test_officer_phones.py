"""Officers' phones over HTTP (DESIGN §6): sealed under the officer's key, masked but for
the officer, supervisors and auditors, each unmasked read logged, erasable; a phone
registered before phones were sealed still reads (as legacy plain text)."""

from __future__ import annotations

import random
import uuid
from typing import Any

import asyncpg

from cso.domain.enums import DOMAIN_ENUMS, OfficerRole
from cso.domain.officer import Officer
from cso.eventstore import Codec, EventStore, Metadata, Repository
from cso.services.identity import Principal, Role
from tests.e2e.test_personal_data import TEXT_COLUMNS, VERIFY, accesses_of
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

OFFICER = """query($id: ID!) { officer(id: $id) { phone version } }"""
ERASE = """mutation($input: EraseOfficerPersonalDataInput!) {
  eraseOfficerPersonalData(input: $input) { consistencyToken officer { phone version } } }"""


def a_phone() -> str:
    return f"137{random.randrange(10**8):08d}"


def masked(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


async def phone_as(gql: OverHttp, officer_id: str, role: Role, sub: str | None = None) -> str:
    reply = await gql(OFFICER, {"id": officer_id}, role=role, sub=sub or str(uuid.uuid4()))
    found: str = reply.data["officer"]["phone"]
    return found


async def test_only_the_officer_supervisors_and_auditors_read_the_phone_and_it_is_logged(
    gql: OverHttp,
) -> None:
    phone = a_phone()
    officer_id = (await support.officer(gql, phone=phone))["officer"]["id"]
    other = (await support.officer(gql, phone=a_phone()))["officer"]["id"]
    assert await phone_as(gql, officer_id, Role.VIEWER) == masked(phone)
    assert await phone_as(gql, officer_id, Role.OFFICER, other) == masked(phone)
    assert await phone_as(gql, officer_id, Role.OFFICER, officer_id) == phone
    assert await phone_as(gql, officer_id, Role.SUPERVISOR) == phone
    assert await phone_as(gql, officer_id, Role.AUDITOR) == phone
    nodes = await accesses_of(gql, officer_id, 3)
    by_self = [n for n in nodes if n["actor"]["id"] == officer_id]
    assert by_self and by_self[0]["fields"] == ["phone"]
    assert by_self[0]["subjectType"] == "Officer"
    assert {n["actor"]["role"] for n in nodes} == {"officer", "supervisor", "auditor"}


async def test_erasing_an_officers_phone_leaves_nothing_readable_in_any_table(
    gql: OverHttp, database_url: str
) -> None:
    phone = a_phone()
    officer_id = (await support.officer(gql, phone=phone))["officer"]["id"]
    fields = {"input": {"officerId": officer_id}}
    refused = await gql(ERASE, fields, role=Role.OFFICER, sub=officer_id)
    assert refused.code == "FORBIDDEN"
    erased = (await gql(ERASE, fields)).data["eraseOfficerPersonalData"]
    assert erased["officer"]["phone"] == "[erased]"
    assert await phone_as(gql, officer_id, Role.VIEWER) == "[erased]"
    again = (await gql(ERASE, fields)).data["eraseOfficerPersonalData"]
    assert again["officer"]["version"] == erased["officer"]["version"]
    verified = await gql(VERIFY, {"id": officer_id}, role=Role.AUDITOR)
    assert verified.data["verifyStream"]["ok"] is True
    conn = await asyncpg.connect(database_url)
    try:
        found = []
        for row in await conn.fetch(TEXT_COLUMNS):
            table = f'"{row["table_schema"]}"."{row["table_name"]}"'
            column = f'"{row["column_name"]}"'
            query = f"SELECT count(*) FROM {table} WHERE {column}::text LIKE $1"
            if await conn.fetchval(query, f"%{phone}%"):
                found.append((table, column))
        assert found == []
    finally:
        await conn.close()


async def test_a_phone_registered_before_sealing_reads_as_legacy_plain_text(
    gql: OverHttp, pool: asyncpg.Pool[Any]
) -> None:
    phone = a_phone()
    # As registered before phones were sealed: the phone is plain text in the event.
    legacy = Officer.register("旧档案", "区人才工作局", [OfficerRole.CASO], True, phone)
    store = EventStore(pool)
    supervisor = Principal(id=str(uuid.uuid4()), role=Role.SUPERVISOR, name="迁移", dept="区委")
    result = await Repository(store, Codec(DOMAIN_ENUMS)).save(
        legacy, metadata=Metadata(actor=supervisor.actor, correlation_id=str(uuid.uuid4()))
    )
    token = {"X-Consistency-Token": result.token}
    viewer = await gql(OFFICER, {"id": str(legacy.id)}, role=Role.VIEWER, headers=token)
    assert viewer.data["officer"]["phone"] == masked(phone)
    assert await phone_as(gql, str(legacy.id), Role.SUPERVISOR) == phone
    assert (await accesses_of(gql, str(legacy.id), 1))[0]["fields"] == ["phone"]
    erased = await gql(ERASE, {"input": {"officerId": str(legacy.id)}})
    assert erased.data["eraseOfficerPersonalData"]["officer"]["phone"] == "[erased]"
