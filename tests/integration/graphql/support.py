"""Talking GraphQL in tests, in process or over HTTP, and building a small world with it.

`Gql` is what a test calls; `InProcess` runs the schema against a real Runtime, `OverHttp`
posts to the e2e server. Builders (`officer`, `enterprise`, …) go through the mutations,
as a client would.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

import httpx
from starlette.requests import Request
from starlette.responses import Response

from cso.domain.values import make_credit_code
from cso.graphql.auth import issue_token
from cso.graphql.context import Context
from cso.runtime import Runtime
from cso.services.identity import Principal, Role

SUPERVISOR_ID = "00000000-0000-4000-8000-00000000500e"
DAYS_AGO_SIGNED = 60

Body = dict[str, Any]


@dataclass
class Reply:
    body: Body
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def data(self) -> Any:
        assert not self.body.get("errors"), self.body["errors"]
        return self.body["data"]

    @property
    def error(self) -> Body:
        assert self.body.get("errors"), f"expected an error, got {self.body}"
        first: Body = self.body["errors"][0]
        return first

    @property
    def code(self) -> str:
        code: str = self.error["extensions"]["code"]
        return code


class Gql(Protocol):
    async def __call__(
        self,
        query: str,
        variables: Body | None = None,
        *,
        role: Role | None = Role.SUPERVISOR,
        sub: str = SUPERVISOR_ID,
        headers: dict[str, str] | None = None,
    ) -> Reply: ...


@dataclass
class OverHttp:
    client: httpx.AsyncClient
    secret: str

    async def __call__(
        self,
        query: str,
        variables: Body | None = None,
        *,
        role: Role | None = Role.SUPERVISOR,
        sub: str = SUPERVISOR_ID,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        sent = dict(headers or {})
        if role is not None:
            token = issue_token(self.secret, sub=sub, role=role, name="Tester", dept="QA")
            sent["Authorization"] = f"Bearer {token}"
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=sent
        )
        return Reply(response.json(), dict(response.headers))


@dataclass
class InProcess:
    schema: Any
    runtime: Runtime

    def context(self, principal: Principal | None, headers: dict[str, str]) -> Context:
        request = Request({"type": "http", "method": "POST", "headers": [], "state": {}})
        return Context(
            request=request,
            response=Response(),
            runtime=self.runtime,
            correlation_id=str(uuid.uuid4()),
            maybe_viewer=principal,
            consistency_token=headers.get("X-Consistency-Token"),
        )

    async def __call__(
        self,
        query: str,
        variables: Body | None = None,
        *,
        role: Role | None = Role.SUPERVISOR,
        sub: str = SUPERVISOR_ID,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        principal = None if role is None else Principal(sub, role, "Tester", "QA")
        context = self.context(principal, headers or {})
        result = await self.schema.execute(query, variable_values=variables, context_value=context)
        body: Body = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            body["extensions"] = result.extensions
        return Reply(body, dict(context.response_headers))


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def credit_code() -> str:
    return make_credit_code(f"91440101{uuid.uuid4().int % 10**9:09d}")


def days_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


def mutation(field: str, selection: str) -> str:
    """The one-field mutation the tests send: `field(input: $input) { selection }`."""
    input_type = f"{field[0].upper()}{field[1:]}Input"
    return f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ {selection} }} }}"


REGISTER_OFFICER = mutation("registerOfficer", "officer { id name version } consistencyToken")

ESTABLISH_CHAIN = mutation("establishChain", "chain { id name version } consistencyToken")

REGISTER_ENTERPRISE = mutation(
    "registerEnterprise", "enterprise { id name version } consistencyToken"
)

REGISTER_PROJECT = mutation("registerProject", "project { id name version stage } consistencyToken")

ASSIGN_CSO = mutation("assignCso", "project { id version cso { id } } consistencyToken")


async def _payload(gql: Gql, query: str, field: str, input: dict[str, Any]) -> Body:
    """Sends the mutation `query` with `input`; the payload of its `field`."""
    found: Body = (await gql(query, {"input": input})).data[field]
    return found


async def officer(gql: Gql, **overrides: Any) -> Body:
    defaults = {
        "name": "李明",
        "department": "区投资促进局",
        "roles": ["CSO"],
        "partyMember": True,
        "phone": "13812345678",
    }
    return await _payload(gql, REGISTER_OFFICER, "registerOfficer", defaults | overrides)


async def chain(gql: Gql, **overrides: Any) -> Body:
    defaults = {"name": unique("人工智能"), "leader": "王副区长", "leadDepartment": "区科技局"}
    return await _payload(gql, ESTABLISH_CHAIN, "establishChain", defaults | overrides)


async def enterprise(gql: Gql, **overrides: Any) -> Body:
    defaults = {
        "name": unique("广州示例科技有限公司"),
        "creditCode": credit_code(),
        "district": "黄埔区",
        "park": "中新广州知识城",
        "sme": True,
    }
    return await _payload(gql, REGISTER_ENTERPRISE, "registerEnterprise", defaults | overrides)


def project_input(enterprise_id: str, **overrides: Any) -> Body:
    """registerProject's input: a new project of the enterprise, signed DAYS_AGO_SIGNED ago."""
    defaults = {
        "enterpriseId": enterprise_id,
        "name": unique("示例项目"),
        "investment": "12500.00",
        "signedOn": days_ago(DAYS_AGO_SIGNED),
    }
    return defaults | overrides


async def project(gql: Gql, enterprise_id: str | None = None, **overrides: Any) -> Body:
    if enterprise_id is None:
        enterprise_id = (await enterprise(gql))["enterprise"]["id"]
    fields = project_input(enterprise_id, **overrides)
    return await _payload(gql, REGISTER_PROJECT, "registerProject", fields)


def service_input(
    project_id: str, summary: str = "走访企业", days: int = 1, kind: str = "VISIT", **extra: Any
) -> Body:
    """recordService's variables: a service of the project, `days` ago."""
    fields = {"projectId": project_id, "kind": kind, "summary": summary}
    return {"input": {**fields, "occurredOn": days_ago(days), **extra}}


async def project_with_cso(gql: Gql) -> tuple[str, str]:
    """A new project with a new CSO: (project id, officer id)."""
    project_id = (await project(gql))["project"]["id"]
    officer_id = (await officer(gql))["officer"]["id"]
    await gql(ASSIGN_CSO, {"input": {"projectId": project_id, "officerId": officer_id}})
    return project_id, officer_id
