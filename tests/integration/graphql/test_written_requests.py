"""A request mutation's payload answers the request as its own mutation left it."""

from __future__ import annotations

import pytest

from cso.app import open_runtime
from cso.graphql import consistency
from cso.graphql.mutations import common
from cso.graphql.schema import build_schema
from cso.graphql.types import enterprise_request
from cso.settings import Settings
from tests.integration.graphql import support
from tests.integration.graphql.support import InProcess

RAISE = """mutation($input: RaiseRequestInput!) {
  raiseRequest(input: $input) { requestId request { status } } }"""
RESOLVE = """mutation($input: ResolveRequestInput!) {
  resolveRequest(input: $input) { request { id status resolution } } }"""


async def test_a_payload_whose_read_models_lag_answers_the_request_replayed_from_its_events(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings.from_env({"CSO_DATABASE_URL": database_url})
    async with open_runtime(settings) as runtime:
        gql = InProcess(build_schema(), runtime)
        project_id, _ = await support.project_with_cso(gql)
        fields = {"projectId": project_id, "category": "PERMIT", "description": "消防验收"}
        raised = await gql(RAISE, {"input": fields})
        assert raised.data["raiseRequest"]["request"] == {"status": "OPEN"}  # read model row
        request_id = raised.data["raiseRequest"]["requestId"]
        # From here the read models lag the log for good (its row says OPEN), and payloads
        # stop waiting for them at once.
        await runtime.projections.stop()
        for module in (consistency, common, enterprise_request):
            monkeypatch.setattr(module, "WAIT_SECONDS", 0.01)
        reply = await gql(RESOLVE, {"input": {"requestId": request_id, "resolution": "已验收"}})
    assert reply.data["resolveRequest"]["request"] == {
        "id": request_id,
        "status": "RESOLVED",
        "resolution": "已验收",
    }
