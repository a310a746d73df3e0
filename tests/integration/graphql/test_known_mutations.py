"""The known-mutation path answers every mutation byte for byte as Strawberry's pipeline does.

Two apps over one runtime: one as served (known mutations past Strawberry's extensions,
the view's short run for a POST), one with both off. Each case is sent to both, with the
same correlation id; their status, headers, bodies, metrics and request-log lines must
match. A request that writes cannot be sent twice with the same effect, so a success is
sent to two projects set up alike and compared with its new ids and tokens replaced;
everything refused, and every idempotent replay, is compared exactly.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from cso.app import create_app, open_runtime
from cso.graphql.auth import issue_token
from cso.graphql.known_mutations import KnownMutations
from cso.runtime import Runtime
from cso.services.identity import Role
from cso.settings import Settings
from tests.integration.graphql import support

RECORD = support.mutation("recordService", "serviceId consistencyToken")
RECORD_NAMED = (
    "mutation Record($input: RecordServiceInput!) "
    "{ recordService(input: $input) { serviceId consistencyToken __typename } }"
)
RECORD_TWO = (
    "mutation A($input: RecordServiceInput!) { recordService(input: $input) { serviceId } }\n"
    "mutation B($input: RecordServiceInput!) { recordService(input: $input) { serviceId } }"
)
LOGGED = ("operation", "operation_type", "error_codes", "actor_id", "status", "method", "path")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    metrics: dict[str, float]
    log: dict[str, Any]

    def replaced(self, *pairs: tuple[str, str]) -> Answer:
        """The answer with each value in `pairs` replaced by its placeholder, everywhere."""
        body, headers = self.body, self.headers
        for value, placeholder in pairs:
            body = body.replace(value.encode(), placeholder.encode())
            headers = [(k, v.replace(value, placeholder)) for k, v in headers]
        headers = [(k, "-" if k == "content-length" else v) for k, v in headers]
        return Answer(self.status, headers, body, self.metrics, self.log)


@dataclass
class Paths:
    known: httpx.AsyncClient
    normal: httpx.AsyncClient
    runtime: Runtime
    secret: str
    taken: list[bool]  # what the known path answered, one per request sent to it
    caplog: pytest.LogCaptureFixture

    def headers(self, role: Role | None, sub: str, correlation_id: str) -> dict[str, str]:
        headers = {"X-Correlation-ID": correlation_id}
        if role is not None:
            token = issue_token(self.secret, sub=sub, role=role, name="Tester", dept="QA")
            headers["Authorization"] = f"Bearer {token}"
        return headers

    async def send(
        self,
        client: httpx.AsyncClient,
        body: dict[str, Any],
        *,
        role: Role | None = Role.SUPERVISOR,
        sub: str = support.SUPERVISOR_ID,
        correlation_id: str = "case-1",
    ) -> Answer:
        before = self._samples()
        self.caplog.clear()
        with self.caplog.at_level(logging.INFO, logger="cso.request"):
            response = await client.post(
                "/graphql",
                content=orjson.dumps(body),
                headers=self._json(role, sub, correlation_id),
            )
        after = self._samples()
        delta = {k: v - before.get(k, 0.0) for k, v in after.items() if v != before.get(k, 0.0)}
        lines = [r for r in self.caplog.records if r.name == "cso.request"]
        fields = getattr(lines[-1], "request", {}) if lines else {}
        return Answer(
            response.status_code,
            sorted(response.headers.items()),
            response.content,
            delta,
            {k: fields.get(k) for k in LOGGED},
        )

    async def both(self, body: dict[str, Any], **kwargs: Any) -> tuple[Answer, Answer]:
        """The same request through the known path, then through the normal one."""
        return await self.send(self.known, body, **kwargs), await self.send(
            self.normal, body, **kwargs
        )

    def _json(self, role: Role | None, sub: str, correlation_id: str) -> dict[str, str]:
        return {"Content-Type": "application/json", **self.headers(role, sub, correlation_id)}

    def _samples(self) -> dict[str, float]:
        """The operation and error counts (not their durations), and the appends."""
        found: dict[str, float] = {}
        for metric in self.runtime.metrics.registry.collect():
            for sample in metric.samples:
                if sample.name.startswith("cso_") and sample.name.endswith(("_count", "_total")):
                    labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
                    found[f"{sample.name}{{{labels}}}"] = sample.value
        return found


def _with_state(
    app: Starlette, runtime: Runtime
) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The app as uvicorn serves it after its lifespan: the runtime in each request's state."""

    async def served(scope: Scope, receive: Receive, send: Send) -> None:
        scope["state"] = {"runtime": runtime}
        await app(scope, receive, send)

    return served


def _view(app: Starlette) -> Any:
    return next(r.endpoint for r in app.routes if getattr(r, "path", "") == "/graphql")


@pytest.fixture
async def paths(database_url: str, caplog: pytest.LogCaptureFixture) -> AsyncIterator[Paths]:
    secret = secrets.token_urlsafe(32)
    settings = Settings.from_env(
        {"CSO_DATABASE_URL": database_url, "CSO_JWT_SECRET": secret, "CSO_RUN_PROJECTIONS": "0"}
    )
    known_app, normal_app = create_app(settings), create_app(settings)
    _view(normal_app).schema.known_mutations = None
    _view(normal_app).lean_post = False  # Strawberry's own run, as before either path
    known: KnownMutations = _view(known_app).schema.known_mutations
    taken: list[bool] = []
    execute = known.execute

    async def spied(*args: Any) -> Any:
        result = await execute(*args)
        taken.append(result is not None)
        return result

    known.execute = spied  # type: ignore[method-assign]
    async with open_runtime(settings) as runtime:
        transports = [
            httpx.ASGITransport(app=_with_state(app, runtime)) for app in (known_app, normal_app)
        ]
        async with (
            httpx.AsyncClient(transport=transports[0], base_url="http://test") as a,
            httpx.AsyncClient(transport=transports[1], base_url="http://test") as b,
        ):
            yield Paths(a, b, runtime, secret, taken, caplog)


async def _projects_with_cso(paths: Paths, count: int) -> list[tuple[str, str]]:
    gql = support.OverHttp(paths.normal, paths.secret)
    return [await support.project_with_cso(gql) for _ in range(count)]


def _record(project_id: str, **extra: Any) -> dict[str, Any]:
    return {"query": RECORD, "variables": support.service_input(project_id, **extra)}


def _written(answer: Answer) -> tuple[str, str]:
    payload = orjson.loads(answer.body)["data"]["recordService"]
    return payload["serviceId"], dict(answer.headers)["x-consistency-token"]


async def test_a_recorded_service_is_answered_alike_but_for_its_new_id_and_token(
    paths: Paths,
) -> None:
    (first, _), (second, _) = await _projects_with_cso(paths, 2)
    for query in (RECORD, RECORD_NAMED, RECORD_TWO):
        body = {"query": query, "variables": support.service_input(first)}
        known = await paths.send(paths.known, body)
        body = {"query": query, "variables": support.service_input(second)}
        normal = await paths.send(paths.normal, body)
        (known_id, known_token), (normal_id, normal_token) = _written(known), _written(normal)
        assert known_token and known_token != normal_token
        assert known.replaced((known_id, "ID"), (known_token, "TOKEN")) == normal.replaced(
            (normal_id, "ID"), (normal_token, "TOKEN")
        )
    assert paths.taken == [True, True, True]


async def test_refused_requests_are_answered_byte_for_byte_alike(paths: Paths) -> None:
    ((project_id, cso_id),) = await _projects_with_cso(paths, 1)
    other_officer = str(uuid.uuid4())
    cases: list[tuple[dict[str, Any], dict[str, Any]]] = [
        (_record("not-a-uuid"), {}),  # INVALID_INPUT, in the resolver
        (_record(project_id, kind="NAP"), {}),  # an enum value refused by coercion
        ({"query": RECORD, "variables": {"input": {"projectId": project_id}}}, {}),
        ({"query": RECORD, "variables": {}}, {}),  # a missing variable
        (_record(project_id, summary=""), {}),  # refused by the domain
        (_record(str(uuid.uuid4())), {}),  # NOT_FOUND
        (_record(project_id, expectedVersion=1), {}),  # CONFLICT
        (_record(project_id, days=-3), {}),  # a service in the future
        (_record(project_id), {"role": Role.OFFICER, "sub": other_officer}),  # not their case
        (_record(project_id), {"role": Role.VIEWER}),  # FORBIDDEN before validation
        (_record(project_id), {"role": None}),  # UNAUTHENTICATED
        ({"query": RECORD_TWO, "variables": {}}, {}),
        ({**_record(project_id), "operationName": "Nope"}, {}),
        (
            {"query": "mutation { recordService(input: {}) { serviceId } }", "variables": {}},
            {},
        ),
        (
            {
                **_record(project_id, expectedVersion=1),
                "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}},
            },
            {},
        ),
        ({**_record(project_id, expectedVersion=1), "extensions": {"tracing": True}}, {}),
    ]
    for n, (body, who) in enumerate(cases):
        known, normal = await paths.both(body, correlation_id=f"refused-{n}", **who)
        assert known == normal, body
        assert b'"errors"' in known.body, body
        assert known.metrics, body  # the operation, or its refusal, was counted
    assert cso_id


async def test_an_idempotent_replay_is_the_same_bytes_on_either_path(paths: Paths) -> None:
    ((project_id, _),) = await _projects_with_cso(paths, 1)
    body = _record(project_id, idempotencyKey=support.unique("key"))
    first = await paths.send(paths.known, body, correlation_id="replay")
    known, normal = await paths.both(body, correlation_id="replay")
    assert known == normal
    assert known.body == first.body
    assert known.metrics == {
        "cso_graphql_operation_seconds_count{operation=recordService,outcome=ok,type=mutation}": 1.0
    }
    changed = {**body, "variables": support.service_input(project_id, summary="另一件事")}
    changed["variables"]["input"]["idempotencyKey"] = body["variables"]["input"]["idempotencyKey"]
    known, normal = await paths.both(changed, correlation_id="reused-key")
    assert known == normal
    assert b"INVALID_INPUT" in known.body


async def test_the_known_path_is_taken_only_for_mutations_it_knows_how_to_answer(
    paths: Paths,
) -> None:
    ((project_id, _),) = await _projects_with_cso(paths, 1)
    paths.taken.clear()
    await paths.send(paths.known, _record(project_id, expectedVersion=1))
    await paths.send(paths.known, {"query": "{ __typename }"})
    await paths.send(paths.known, _record(project_id, expectedVersion=1), role=Role.VIEWER)
    await paths.send(paths.known, {"query": "mutation { nope }"})
    await paths.send(paths.known, {**_record(project_id), "extensions": {"tracing": True}})
    await paths.send(paths.known, {**_record(project_id), "operationName": "Nope"})
    assert paths.taken == [True, False, False, False, False, False]


async def test_a_request_log_line_and_the_metrics_say_the_same_on_either_path(
    paths: Paths,
) -> None:
    (first, _), (second, _) = await _projects_with_cso(paths, 2)
    known = await paths.send(paths.known, _record(first))
    normal = await paths.send(paths.normal, _record(second))
    assert known.log == normal.log
    assert known.log["operation"] == "recordService"
    assert known.metrics == normal.metrics
    assert known.metrics["cso_eventstore_appends_total{}"] == 1.0
