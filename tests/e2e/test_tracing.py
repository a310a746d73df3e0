"""Tracing: one span per request and one per command, in one trace, never one per field."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from cso.tracing import Tracing
from tests.e2e.conftest import serving
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp


@pytest.fixture(scope="module")
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture(scope="module")
async def traced(database_url: str, exporter: InMemorySpanExporter) -> AsyncIterator[OverHttp]:
    tracing = Tracing.exporting(exporter, batched=False)
    async with (
        serving(database_url, tracing=tracing) as api,
        httpx.AsyncClient(base_url=api.url, timeout=30) as client,
    ):
        yield OverHttp(client, api.secret)


async def test_a_mutation_is_one_request_span_holding_one_command_span(
    traced: OverHttp, exporter: InMemorySpanExporter
) -> None:
    exporter.clear()
    reply = await support.chain(traced)
    assert reply["chain"]["id"]
    spans = exporter.get_finished_spans()
    (server,) = [s for s in spans if s.kind == SpanKind.SERVER]
    (command,) = [s for s in spans if s.name.startswith("command ")]
    assert command.name == "command establishChain"
    assert command.parent is not None and command.parent.span_id == server.context.span_id
    assert command.context.trace_id == server.context.trace_id
    assert command.attributes is not None
    assert command.attributes["enduser.role"] == "supervisor"
    assert len(spans) == 2  # no span per field, no receive/send spans


async def test_a_query_of_many_fields_is_one_span(
    traced: OverHttp, exporter: InMemorySpanExporter
) -> None:
    await support.chain(traced)
    exporter.clear()
    reply = await traced("{ industryChains { id name leader leadDepartment masters { id name } } }")
    assert reply.data["industryChains"]
    spans = exporter.get_finished_spans()
    assert [s.kind for s in spans] == [SpanKind.SERVER]
    assert spans[0].attributes is not None
    assert spans[0].attributes.get("http.response.status_code", 200) == 200


async def test_health_checks_are_not_traced(
    traced: OverHttp, exporter: InMemorySpanExporter
) -> None:
    exporter.clear()
    assert (await traced.client.get("/healthz")).status_code == 200
    assert exporter.get_finished_spans() == ()


async def test_a_refused_command_still_ends_its_span_with_the_error(
    traced: OverHttp, exporter: InMemorySpanExporter
) -> None:
    name = (await support.chain(traced))["chain"]["name"]
    exporter.clear()
    reply = await traced(
        support.ESTABLISH_CHAIN,
        {"input": {"name": name, "leader": "张区长", "leadDepartment": "区卫健局"}},
    )
    assert reply.code == "RULE_VIOLATED"
    (command,) = [s for s in exporter.get_finished_spans() if s.name.startswith("command ")]
    assert not command.status.is_ok
