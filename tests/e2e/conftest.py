"""A real uvicorn server on a free loopback port, against the test database."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from cso.app import create_app
from cso.graphql.auth import Role, issue_token
from cso.settings import Settings
from cso.tracing import Tracing
from tests.integration.graphql.support import OverHttp

SECRET = "e2e-secret-that-is-long-enough-for-hs256"


@dataclass(frozen=True)
class Api:
    url: str
    secret: str

    def token(self, role: Role, sub: str = "00000000-0000-4000-8000-000000000042") -> str:
        return issue_token(self.secret, sub=sub, role=role, name="Tester", dept="QA")

    def headers(self, role: Role | None = None, **extra: str) -> dict[str, str]:
        headers = dict(extra)
        if role is not None:
            headers["Authorization"] = f"Bearer {self.token(role)}"
        return headers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def serving(
    database_url: str, *, tracing: Tracing | None = None, **env: str
) -> AsyncIterator[Api]:
    """One API process: its own app, pool, cache and projection runners; `env` adds settings,
    `tracing` a tracer provider."""
    settings = Settings.from_env(
        {
            "CSO_DATABASE_URL": database_url,
            "CSO_JWT_SECRET": SECRET,
            "CSO_POOL_MAX_SIZE": "10",
            **env,
        }
    )
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, tracing=tracing),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not (server.started or task.done()):
        await asyncio.wait([task], timeout=0.01)  # uvicorn offers no "started" event to await
    assert server.started, "the API did not start"
    try:
        yield Api(url=f"http://127.0.0.1:{port}", secret=SECRET)
    finally:
        server.should_exit = True
        await task


@pytest.fixture(scope="session")
async def api(database_url: str) -> AsyncIterator[Api]:
    async with serving(database_url) as running:
        yield running


@pytest.fixture(scope="session")
async def second_api(database_url: str, api: Api) -> AsyncIterator[Api]:
    """Another API process on the same database, as behind a load balancer."""
    async with serving(database_url) as running:
        yield running


@pytest.fixture
async def client(api: Api) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api.url, timeout=10) as client:
        yield client


@pytest.fixture
def gql(client: httpx.AsyncClient, api: Api) -> OverHttp:
    """GraphQL over HTTP to the server, as a supervisor unless a call names another role."""
    return OverHttp(client, api.secret)
