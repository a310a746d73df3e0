"""`cso token`: tokens for officers in the data, with their department, and for roles."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from click.testing import Result
from typer.testing import CliRunner

from cso.cli import app as cli
from tests.e2e.conftest import Api
from tests.integration.graphql.support import OverHttp

REGISTER = """mutation($name: String!, $dept: String!) {
  registerOfficer(input: { name: $name, department: $dept, roles: [CSO], partyMember: true,
                           phone: "13800001234" }) {
    consistencyToken officer { id }
  }
}"""


async def _cso(api: Api, database_url: str, *args: str) -> Result:
    """The CLI in a thread of its own: it runs its own event loop."""
    env = {"CSO_JWT_SECRET": api.secret, "CSO_DATABASE_URL": database_url}
    return await asyncio.to_thread(CliRunner().invoke, cli, list(args), env=env)


async def _registered(gql: OverHttp, name: str, dept: str) -> str:
    """A new officer's id, once the read models hold them."""
    payload = (await gql(REGISTER, {"name": name, "dept": dept})).data["registerOfficer"]
    waited = await gql(
        "{ __typename }", headers={"X-Consistency-Token": payload["consistencyToken"]}
    )
    assert waited.headers.get("x-consistency") != "stale"
    officer_id: str = payload["officer"]["id"]
    return officer_id


async def _me(client: httpx.AsyncClient, token: str) -> dict[str, str]:
    response = await client.post(
        "/graphql",
        json={"query": "{ me { id role name dept } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    me: dict[str, str] = response.json()["data"]["me"]
    return me


async def test_an_officer_token_by_name_carries_the_officers_id_and_department(
    gql: OverHttp, client: httpx.AsyncClient, api: Api, database_url: str
) -> None:
    name = f"陈思远-{uuid.uuid4().hex[:6]}"
    officer_id = await _registered(gql, name, "区投资促进局")
    by_name = await _cso(api, database_url, "token", "--officer", name)
    by_id = await _cso(api, database_url, "token", "--officer", officer_id)
    assert by_name.exit_code == 0, by_name.output
    assert by_id.exit_code == 0, by_id.output
    expected = {"id": officer_id, "role": "officer", "name": name, "dept": "区投资促进局"}
    assert await _me(client, by_name.output.strip()) == expected
    assert await _me(client, by_id.output.strip()) == expected


async def test_two_officers_of_one_name_are_told_apart_by_id(
    gql: OverHttp, api: Api, database_url: str
) -> None:
    name = f"王芳-{uuid.uuid4().hex[:6]}"
    first = await _registered(gql, name, "区科技局")
    second = await _registered(gql, name, "区商务局")
    result = await _cso(api, database_url, "token", "--officer", name)
    assert result.exit_code != 0
    assert first in result.output
    assert second in result.output


async def test_an_unknown_officer_is_refused_with_a_clear_message(
    api: Api, database_url: str
) -> None:
    result = await _cso(api, database_url, "token", "--officer", "无此人")
    assert result.exit_code != 0
    assert "no officer is named" in result.output


async def test_a_role_token_for_an_officer_needs_a_registered_officer(
    api: Api, database_url: str
) -> None:
    result = await _cso(api, database_url, "token", "--role", "officer")
    assert result.exit_code != 0
    assert "--officer NAME|ID" in result.output


async def test_an_auditor_token_reads_as_an_auditor(
    client: httpx.AsyncClient, api: Api, database_url: str
) -> None:
    result = await _cso(api, database_url, "token", "--role", "auditor")
    assert result.exit_code == 0, result.output
    assert (await _me(client, result.output.strip()))["role"] == "auditor"
