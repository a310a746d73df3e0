"""The schema run in process against a real Runtime (projections included) on the test database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from cso.app import open_runtime
from cso.graphql.schema import build_schema
from cso.runtime import Runtime
from cso.settings import Settings
from tests.integration.graphql.support import InProcess


@pytest.fixture(scope="session")
async def runtime(database_url: str) -> AsyncIterator[Runtime]:
    settings = Settings.from_env({"CSO_DATABASE_URL": database_url, "CSO_POOL_MAX_SIZE": "10"})
    async with open_runtime(settings) as runtime:
        yield runtime


@pytest.fixture(scope="session")
def gql(runtime: Runtime) -> InProcess:
    return InProcess(build_schema(), runtime)
