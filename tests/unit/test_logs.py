"""cso.logs: one line per request; every line of a request carries its correlation id."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cso.correlation import CorrelationMiddleware
from cso.logs import RequestLog, log_handler

failing = logging.getLogger("cso.test.failing")


async def _fails(request: Request) -> Response:
    try:
        raise RuntimeError("the disk is on fire")
    except RuntimeError:
        failing.exception("internal error")
    return JSONResponse({"errors": [{"extensions": {"code": "INTERNAL"}}]}, status_code=500)


APP = Starlette(
    routes=[Route("/fails", _fails)],
    middleware=[Middleware(CorrelationMiddleware), Middleware(RequestLog)],
)


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """What a JSON handler on the `cso` loggers writes while the test runs."""
    stream = io.StringIO()
    handler = log_handler("json", stream)
    logger = logging.getLogger("cso")
    logger.addHandler(handler)
    level, logger.level = logger.level, logging.DEBUG
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def _get(path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=APP)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


async def test_a_traceback_is_found_in_the_log_by_the_correlation_id_the_client_got(
    lines: io.StringIO,
) -> None:
    response = await _get("/fails")
    correlation_id = response.headers["x-correlation-id"]
    logged = [json.loads(line) for line in lines.getvalue().splitlines()]
    traceback = next(line for line in logged if line["message"] == "internal error")
    assert traceback["correlation_id"] == correlation_id
    assert "the disk is on fire" in traceback["exc"]
    assert "the disk is on fire" not in response.text


async def test_each_request_logs_one_line_with_its_status_duration_and_correlation_id(
    lines: io.StringIO,
) -> None:
    response = await _get("/fails")
    requests = [
        json.loads(line)
        for line in lines.getvalue().splitlines()
        if json.loads(line)["logger"] == "cso.request"
    ]
    assert len(requests) == 1
    assert requests[0]["status"] == 500
    assert requests[0]["path"] == "/fails"
    assert requests[0]["duration_ms"] >= 0
    assert requests[0]["correlation_id"] == response.headers["x-correlation-id"]


def test_a_log_format_other_than_text_or_json_is_refused() -> None:
    with pytest.raises(ValueError, match="CSO_LOG_FORMAT"):
        log_handler("xml")


def test_the_readable_format_puts_a_request_on_one_line() -> None:
    stream = io.StringIO()
    handler = log_handler("text", stream)
    fields = {
        "method": "POST",
        "path": "/graphql",
        "status": 200,
        "duration_ms": 3.2,
        "operation": "Dashboard",
        "operation_type": "query",
        "error_codes": ["FORBIDDEN"],
        "actor_id": "officer-1",
    }
    record = logging.LogRecord("cso.request", logging.INFO, "", 0, "request", None, None)
    record.request = fields
    record.correlation_id = "abc"
    handler.emit(record)
    line = stream.getvalue().strip()
    assert "\n" not in line
    assert line.endswith(
        "POST /graphql 200 3.2 ms query Dashboard [FORBIDDEN] actor=officer-1 id=abc"
    )
