"""The audit queries: for auditors and supervisors, refused to everyone else."""

from __future__ import annotations

import pytest

from cso.services.identity import Role
from tests.integration.graphql import support
from tests.integration.graphql.support import SUPERVISOR_ID, OverHttp

STREAM = """query($id: ID!, $from: Int, $to: Int) {
  streamHistory(streamId: $id, fromVersion: $from, toVersion: $to) { version type } }"""

LOG = """query($filter: AuditFilter, $first: Int, $after: String) {
  auditLog(first: $first, after: $after, filter: $filter) {
    totalCount edges { cursor node { position streamId type actor { id } } }
    pageInfo { hasNextPage endCursor } } }"""


async def test_an_auditor_reads_a_streams_history_between_versions(gql: OverHttp) -> None:
    project_id, _ = await support.project_with_cso(gql)
    reply = await gql(STREAM, {"id": project_id, "from": 2, "to": 2}, role=Role.AUDITOR)
    assert reply.data["streamHistory"] == [{"version": 2, "type": "Project.CsoAssigned"}]


async def test_the_audit_log_pages_through_one_actors_events_in_position_order(
    gql: OverHttp,
) -> None:
    actor = "00000000-0000-4000-8000-0000000a0d17"
    for _ in range(3):
        await gql(
            support.ESTABLISH_CHAIN,
            {"input": {"name": support.unique("链"), "leader": "甲", "leadDepartment": "乙"}},
            sub=actor,
        )
    seen: list[int] = []
    after = None
    for _ in range(3):
        reply = await gql(
            LOG, {"filter": {"actorId": actor}, "first": 1, "after": after}, role=Role.AUDITOR
        )
        log = reply.data["auditLog"]
        assert log["totalCount"] == 3
        seen += [edge["node"]["position"] for edge in log["edges"]]
        assert all(edge["node"]["actor"]["id"] == actor for edge in log["edges"])
        after = log["pageInfo"]["endCursor"]
    assert seen == sorted(seen) and len(set(seen)) == 3
    assert log["pageInfo"]["hasNextPage"] is False


async def test_the_audit_log_filters_by_stream_type_and_event_type(gql: OverHttp) -> None:
    project_id, _ = await support.project_with_cso(gql)
    reply = await gql(
        LOG,
        {
            "filter": {
                "streamId": project_id,
                "streamType": "Project",
                "type": "Project.CsoAssigned",
            }
        },
        role=Role.SUPERVISOR,
    )
    edges = reply.data["auditLog"]["edges"]
    assert [(e["node"]["streamId"], e["node"]["type"]) for e in edges] == [
        (project_id, "Project.CsoAssigned")
    ]
    assert edges[0]["node"]["actor"]["id"] == SUPERVISOR_ID


async def test_everything_one_request_caused_is_found_by_its_correlation_id(
    gql: OverHttp,
) -> None:
    correlation = support.unique("trace")
    officer = await gql(
        support.REGISTER_OFFICER,
        {
            "input": {
                "name": "赵敏",
                "department": "区委组织部",
                "roles": ["CSO"],
                "partyMember": True,
                "phone": "13500000000",
            }
        },
        headers={"X-Correlation-ID": correlation},
    )
    officer_id = officer.data["registerOfficer"]["officer"]["id"]
    reply = await gql(
        "query($c: String!) { eventsByCorrelation(correlationId: $c) { streamId type } }",
        {"c": correlation},
        role=Role.AUDITOR,
    )
    assert reply.data["eventsByCorrelation"] == [
        {"streamId": officer_id, "type": "Officer.Registered"}
    ]


async def test_an_untouched_stream_verifies(gql: OverHttp) -> None:
    project_id, _ = await support.project_with_cso(gql)
    reply = await gql(
        "query($id: ID!) { verifyStream(streamId: $id) { ok eventsChecked firstBadVersion } }",
        {"id": project_id},
        role=Role.AUDITOR,
    )
    assert reply.data["verifyStream"] == {"ok": True, "eventsChecked": 2, "firstBadVersion": None}


async def test_verifying_a_stream_that_does_not_exist_is_not_found(gql: OverHttp) -> None:
    reply = await gql(
        "query($id: ID!) { verifyStream(streamId: $id) { ok } }",
        {"id": "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11"},
        role=Role.AUDITOR,
    )
    assert reply.code == "NOT_FOUND"


async def test_projection_status_names_each_projection_and_its_lag(gql: OverHttp) -> None:
    reply = await gql(
        "{ projectionStatus { name position lagEvents lagSeconds running failures } }",
        role=Role.AUDITOR,
    )
    names = {status["name"] for status in reply.data["projectionStatus"]}
    assert {"officers", "enterprises", "projects"} <= names


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OFFICER])
@pytest.mark.parametrize(
    "query",
    [
        '{ streamHistory(streamId: "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11") { version } }',
        "{ auditLog { totalCount } }",
        '{ eventsByCorrelation(correlationId: "x") { type } }',
        '{ verifyStream(streamId: "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11") { ok } }',
        "{ projectionStatus { name } }",
    ],
)
async def test_viewers_and_officers_are_refused_the_audit_queries(
    gql: OverHttp, role: Role, query: str
) -> None:
    reply = await gql(query, role=role)
    assert reply.code == "FORBIDDEN"
