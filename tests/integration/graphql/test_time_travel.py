"""project(id, asOf, version): the project replayed from its events to a point in the past."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest

from cso.graphql.snapshot import ReadSnapshot
from cso.runtime import Runtime
from tests.integration.graphql import support
from tests.integration.graphql.support import InProcess

REACH = support.mutation("reachMilestone", "project { version stage } consistencyToken")

AT = """
query($id: ID!, $asOf: DateTime, $version: Int) {
  project(id: $id, asOf: $asOf, version: $version) {
    version stage milestones { milestone on } csoAssignments { officer { name } from }
    history { version type recordedAt }
  }
}"""


@pytest.fixture(scope="module")
async def project_id(gql: InProcess, runtime: Runtime) -> str:
    """A project at version 4: registered, CSO assigned, site selected, land delivered; the
    read models include it all."""
    project_id, _ = await support.project_with_cso(gql)
    for milestone, days in (("SITE_SELECTED", 50), ("LAND_DELIVERED", 40)):
        reached = await gql(
            REACH,
            {
                "input": {
                    "projectId": project_id,
                    "milestone": milestone,
                    "on": support.days_ago(days),
                }
            },
        )
    assert await runtime.projections.wait_for(
        reached.data["reachMilestone"]["consistencyToken"], 10
    )
    return project_id


async def test_version_2_shows_the_project_as_it_was_after_its_second_event(
    gql: InProcess, project_id: str
) -> None:
    project = (await gql(AT, {"id": project_id, "version": 2})).data["project"]
    assert project["version"] == 2
    assert project["stage"] == "SIGNED"
    assert [m["milestone"] for m in project["milestones"]] == ["SIGNED"]
    assert project["csoAssignments"][0]["officer"]["name"] == "李明"
    assert [e["version"] for e in project["history"]] == [1, 2]


async def test_as_of_a_moment_shows_what_had_been_recorded_by_then(
    gql: InProcess, project_id: str
) -> None:
    now = (await gql(AT, {"id": project_id})).data["project"]
    third = datetime.fromisoformat(now["history"][2]["recordedAt"])
    project = (await gql(AT, {"id": project_id, "asOf": third.isoformat()})).data["project"]
    assert project["version"] == 3
    assert project["stage"] == "SITE_SELECTED"


async def test_without_as_of_or_version_the_project_is_as_it_is_now(
    gql: InProcess, project_id: str
) -> None:
    project = (await gql(AT, {"id": project_id})).data["project"]
    assert project["version"] == 4
    assert project["stage"] == "LAND_DELIVERED"


async def test_before_the_project_existed_there_is_no_project(
    gql: InProcess, project_id: str
) -> None:
    now = (await gql(AT, {"id": project_id})).data["project"]
    before = datetime.fromisoformat(now["history"][0]["recordedAt"]) - timedelta(seconds=1)
    reply = await gql(AT, {"id": project_id, "asOf": before.isoformat()})
    assert reply.data["project"] is None


async def test_a_moment_without_an_offset_is_invalid_input(gql: InProcess, project_id: str) -> None:
    reply = await gql(AT, {"id": project_id, "asOf": "2025-01-01T00:00:00"})
    assert reply.code == "INVALID_INPUT"


async def test_version_0_is_invalid_input(gql: InProcess, project_id: str) -> None:
    reply = await gql(AT, {"id": project_id, "version": 0})
    assert reply.code == "INVALID_INPUT"
    assert reply.error["extensions"]["field"] == "version"


async def test_the_history_of_an_earlier_version_reads_no_events_after_it(
    gql: InProcess, project_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched: list[tuple[str, int]] = []
    fetch = ReadSnapshot.fetch

    async def counting(self: ReadSnapshot, query: str, *args: Any) -> list[asyncpg.Record]:
        rows = await fetch(self, query, *args)
        fetched.append((query, len(rows)))
        return rows

    monkeypatch.setattr(ReadSnapshot, "fetch", counting)
    project = (await gql(AT, {"id": project_id, "version": 2})).data["project"]

    assert [e["version"] for e in project["history"]] == [1, 2]
    [read] = [rows for query, rows in fetched if "FROM unnest" in query and "events" in query]
    assert read == 2  # of the stream's 4
