"""Heavy writes through the HTTP API that keep a ledger of every acknowledged write, and the
check that the log holds each of them once.

Each write carries an idempotency key and is retried with the same key (transport error,
5xx, or an error the server blames on itself) until the server acknowledges it, as a careful
client would across a crash. An acknowledgement is a reply without errors; its consistency
token names the append's last event (transaction id and position), so the log can be
checked for it afterwards: that event exists, carries the key, and its append holds the
ids the reply gave. Five kinds of write: recordService, raiseRequest, referRequest (of a
raised request), registerEnterprise, listHousingUnit.
"""

from __future__ import annotations

import asyncio
import collections
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

from cso.eventstore.records import Checkpoint
from cso.graphql.auth import issue_token
from cso.services.identity import Role
from tests.integration.graphql import support
from tests.integration.graphql.support import SUPERVISOR_ID, OverHttp, mutation

RECORD = mutation("recordService", "serviceId consistencyToken")
RAISE = mutation("raiseRequest", "requestId consistencyToken")
REFER = mutation("referRequest", "consistencyToken")
ENTERPRISE = mutation("registerEnterprise", "consistencyToken")
UNIT = mutation("listHousingUnit", "consistencyToken")
LAG = "{ projectionStatus { name lagEvents } }"
# Refusals of a valid write that a retry may cure: the server's own failure, or a database
# it cannot reach for now.
RETRIED_CODES = {"INTERNAL", "UNAVAILABLE", "TIMEOUT"}
GIVE_UP_SECONDS = 120.0
DEPARTMENTS = ["区规划和自然资源局", "区住房和建设局", "区市场监督管理局"]

# The events of the appends whose keys are given: key, transaction, position, stream, data.
KEYED_EVENTS = """
SELECT metadata->>'idempotency_key' AS key, transaction_id::text::bigint AS transaction_id,
       position, stream_id::text AS stream_id, data::text AS data
FROM events WHERE metadata->>'idempotency_key' = ANY($1::text[])"""
# Keys that more than one append carries: a command that ran twice.
DUPLICATED_KEYS = """
SELECT metadata->>'idempotency_key' AS key, count(DISTINCT transaction_id) AS appends
FROM events WHERE metadata->>'idempotency_key' IS NOT NULL
GROUP BY 1 HAVING count(DISTINCT transaction_id) > 1"""


@dataclass(frozen=True, slots=True)
class Acknowledged:
    """A write the server acknowledged: its key, kind, the ids its reply named (which the
    append must hold) and where its consistency token says its last event is."""

    key: str
    kind: str
    ids: tuple[str, ...]
    checkpoint: Checkpoint
    retried: bool


@dataclass
class WriteLoad:
    """`workers` writers against whatever URL `url()` names at the moment (a restarted
    server may move); `run` until `stop` is set, then each finishes its write in hand."""

    url: Callable[[], str]
    secret: str
    workers: int = 8
    acknowledged: list[Acknowledged] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    retries: int = 0
    # The codes of the replies that were retried (UNAVAILABLE while the database is away).
    retried_codes: collections.Counter[str | None] = field(default_factory=collections.Counter)
    projects: list[str] = field(default_factory=list)
    _raised: list[str] = field(default_factory=list)
    _counter: int = 0

    async def prepare(self, projects: int = 6) -> None:
        """A few projects, each with its CSO, to write on."""
        async with httpx.AsyncClient(base_url=self.url(), timeout=30) as client:
            gql = OverHttp(client, self.secret)
            for _ in range(projects):
                self.projects.append((await support.project_with_cso(gql))[0])

    async def run(self, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            await asyncio.gather(*(self._writer(client, stop, n) for n in range(self.workers)))

    async def _writer(self, client: httpx.AsyncClient, stop: asyncio.Event, n: int) -> None:
        chosen = random.Random(n)
        while not stop.is_set():
            kind, query, fields = self._next_write(chosen)
            await self._write(client, kind, query, fields)

    def _next_write(self, chosen: random.Random) -> tuple[str, str, dict[str, Any]]:
        """A write of a kind drawn at random: (mutation field, document, input)."""
        self._counter += 1
        tag = f"load-{self._counter}-{uuid.uuid4().hex[:8]}"
        project_id = chosen.choice(self.projects)
        roll = chosen.random()
        if roll < 0.4:
            service = support.service_input(project_id, f"走访{tag}")["input"]
            return "recordService", RECORD, service
        if roll < 0.6:
            raised = {"projectId": project_id, "category": "PERMIT", "description": f"诉求{tag}"}
            return "raiseRequest", RAISE, raised
        if roll < 0.75 and self._raised:
            request_id = self._raised.pop(chosen.randrange(len(self._raised)))
            departments = chosen.sample(DEPARTMENTS, chosen.randint(1, 2))
            return "referRequest", REFER, {"requestId": request_id, "departments": departments}
        if roll < 0.9:
            enterprise = {"name": f"企业{tag}", "creditCode": support.credit_code(), "sme": True}
            return "registerEnterprise", ENTERPRISE, {**enterprise, "district": "黄埔区"}
        unit = {"building": f"楼{tag}", "unitNo": "101", "rooms": 2, "areaSqm": "60.50"}
        return "listHousingUnit", UNIT, {**unit, "monthlyRent": "1800.00"}

    async def _write(
        self, client: httpx.AsyncClient, kind: str, query: str, fields: dict[str, Any]
    ) -> None:
        key = f"{kind}-{uuid.uuid4()}"
        body = {"query": query, "variables": {"input": {**fields, "idempotencyKey": key}}}
        deadline = time.monotonic() + GIVE_UP_SECONDS
        attempts = 0
        while True:
            attempts += 1
            reply = await _post(client, self.url(), self.secret, body)
            if reply is not None and not reply.get("errors"):
                payload = reply["data"][kind]
                ids = tuple(v for k, v in payload.items() if k.endswith("Id"))
                if kind == "raiseRequest":
                    self._raised.append(payload["requestId"])
                checkpoint = Checkpoint.from_token(payload["consistencyToken"])
                self.acknowledged.append(Acknowledged(key, kind, ids, checkpoint, attempts > 1))
                return
            code = _code(reply)
            if (code is not None and code not in RETRIED_CODES) or time.monotonic() > deadline:
                self.refused.append({"kind": kind, "key": key, "reply": reply})
                return
            self.retries += 1
            self.retried_codes[code] += 1
            await asyncio.sleep(0.2)


async def _post(
    client: httpx.AsyncClient, url: str, secret: str, body: dict[str, Any]
) -> dict[str, Any] | None:
    """The reply's JSON, or None when the server could not be reached or failed (5xx)."""
    token = issue_token(secret, sub=SUPERVISOR_ID, role=Role.SUPERVISOR, name="Load", dept="QA")
    return await _post_as(client, token, body, f"{url}/graphql")


async def _post_as(
    client: httpx.AsyncClient, token: str, body: dict[str, Any], url: str = "/graphql"
) -> dict[str, Any] | None:
    try:
        response = await client.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
    except httpx.TransportError:
        return None
    if response.status_code >= 500:
        return None
    reply: dict[str, Any] = response.json()
    return reply


def _code(reply: dict[str, Any] | None) -> str | None:
    if reply is None:
        return None
    errors = reply.get("errors") or [{}]
    code: str | None = errors[0].get("extensions", {}).get("code")
    return code


async def missing_or_duplicated(url: str, acknowledged: list[Acknowledged]) -> list[str]:
    """What the log gets wrong about `acknowledged`: each write missing from it (no event at
    its token, or not carrying its key, or an append without the ids its reply gave), and
    every key that more than one append carries. Empty when all is well."""
    conn: asyncpg.Connection[Any] = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(KEYED_EVENTS, [_stored(a.key) for a in acknowledged])
        duplicated = await conn.fetch(DUPLICATED_KEYS)
    finally:
        await conn.close()
    by_key: dict[str, list[asyncpg.Record]] = {}
    for row in rows:
        by_key.setdefault(row["key"], []).append(row)
    wrong = [f"key {r['key']} appended {r['appends']} times" for r in duplicated]
    for write in acknowledged:
        events = by_key.get(_stored(write.key), [])
        place = (write.checkpoint.transaction_id, write.checkpoint.position)
        if place not in {(e["transaction_id"], e["position"]) for e in events}:
            wrong.append(f"{write.kind} {write.key}: no event of its key at its token {place}")
            continue
        # Event data keeps ids as bare hex; stream ids are read as text, with hyphens.
        held = " ".join(f"{e['stream_id']} {e['data']}" for e in events)
        wrong += [
            f"{write.kind} {write.key}: {i} not in its append"
            for i in write.ids
            if i not in held and i.replace("-", "") not in held
        ]
    return wrong


def _stored(key: str) -> str:
    """The key as the log keeps it: scoped to the caller (all writes here are the
    supervisor's), so two callers' keys never meet."""
    return f"{SUPERVISOR_ID}:{key}"


async def caught_up(url: str, secret: str, within: float = 120.0) -> bool:
    """Whether every projection's lag reaches 0 within `within` seconds (asked over HTTP)."""
    token = issue_token(secret, sub=SUPERVISOR_ID, role=Role.AUDITOR, name="Check", dept="QA")
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        while time.monotonic() < deadline:
            reply = await _post_as(client, token, {"query": LAG})
            statuses = ((reply or {}).get("data") or {}).get("projectionStatus")
            if statuses and all(int(s["lagEvents"]) == 0 for s in statuses):
                return True
            await asyncio.sleep(0.5)
    return False
