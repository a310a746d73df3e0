"""One structured log line per request, and per-operation metrics, from a real server."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from cso.graphql.auth import Role
from tests.e2e.conftest import Api


def _request_lines(caplog: pytest.LogCaptureFixture, correlation_id: str) -> list[dict[str, Any]]:
    return [
        record.request
        for record in caplog.records
        if record.name == "cso.request" and record.request["correlation_id"] == correlation_id
    ]


async def test_a_named_operation_logs_its_name_status_actor_and_correlation_id(
    client: httpx.AsyncClient, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cso.request")
    headers = api.headers(Role.VIEWER, **{"X-Correlation-ID": "log-named-1"})
    await client.post("/graphql", json={"query": "query WhoAmI { me { id } }"}, headers=headers)
    [line] = _request_lines(caplog, "log-named-1")
    assert line["operation"] == "WhoAmI"
    assert line["operation_type"] == "query"
    assert line["status"] == 200
    assert line["error_codes"] == []
    assert line["actor_id"] == "00000000-0000-4000-8000-000000000042"
    assert line["duration_ms"] > 0


async def test_an_unnamed_operation_logs_its_root_fields_and_error_codes(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cso.request")
    await client.post(
        "/graphql",
        json={"query": "{ me { id } dashboard { openRequests } }"},
        headers={"X-Correlation-ID": "log-unnamed-1"},
    )
    [line] = _request_lines(caplog, "log-unnamed-1")
    assert line["operation"] == "me,dashboard"
    assert line["error_codes"] == ["UNAUTHENTICATED"]
    assert line["actor_id"] is None


async def test_metrics_time_each_operation_by_name_and_show_projection_positions_and_pools(
    client: httpx.AsyncClient, api: Api
) -> None:
    await client.post(
        "/graphql", json={"query": "query Metered { me { id } }"}, headers=api.headers(Role.VIEWER)
    )
    text = (await client.get("/metrics")).text
    assert 'cso_graphql_operation_seconds_count{operation="Metered",outcome="ok",type="query"}' in (
        text
    )
    assert 'cso_projection_position{projection="officers"}' in text
    assert 'cso_pool_connections_in_use{pool="read"}' in text
    assert "cso_eventstore_appends_total" in text


async def test_a_mutation_refused_before_it_runs_still_logs_its_code(
    client: httpx.AsyncClient, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cso.request")
    headers = api.headers(Role.VIEWER, **{"X-Correlation-ID": "log-refused-1"})
    query = 'mutation { deactivateOfficer(input: { officerId: "x" }) { consistencyToken } }'
    await client.post("/graphql", json={"query": query}, headers=headers)
    [line] = _request_lines(caplog, "log-refused-1")
    assert line["operation"] == "deactivateOfficer"
    assert line["operation_type"] == "mutation"
    assert line["error_codes"] == ["FORBIDDEN"]
