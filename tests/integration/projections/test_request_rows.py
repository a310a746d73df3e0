"""A request's row written once per batch (request_rows) ends as it does one event at a
time, however the log is cut into batches, and each fold's guard keeps a change from being
applied twice."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, cast

import asyncpg

from cso.domain.enums import CalendarSource, RequestCategory, ServiceKind
from cso.domain.working_days import weekends_only
from cso.eventstore import Metadata, RecordedEvent
from cso.eventstore.records import START
from cso.eventstore.sql import EVENT_COLUMNS
from cso.eventstore.store import recorded_event
from cso.projections import request_rows
from cso.projections.batch import BatchWriter, merge
from cso.projections.projects import PROJECTION
from cso.projections.reading import decode
from tests.integration.projections.conftest import Isolated
from tests.integration.projections.factories import (
    new_enterprise,
    new_officer,
    new_project,
    project_with_legacy_request,
)
from tests.integration.projections.one_batch import tables
from tests.request_desk import RequestDesk

TODAY = date(2024, 6, 3)
AT = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)
SELECT_REQUEST = "SELECT * FROM rm_requests WHERE id = $1"
SELECT_PROJECT = "SELECT open_requests, overdue_from FROM rm_projects WHERE id = $1"
# The transaction's own writes to rm_requests so far.
SELECT_WRITES = """
SELECT n_tup_ins, n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'rm_requests'
"""


async def whole_log(isolated: Isolated) -> list[RecordedEvent]:
    """Every event of the test's database in commit order. (`EventStore.read_log` stops
    at the server's oldest open transaction, which may be another database's.)"""
    rows = await isolated.pool.fetch(
        f"SELECT {EVENT_COLUMNS} FROM events ORDER BY transaction_id, position"
    )
    return [recorded_event(row) for row in rows]


async def replay_in_batches(isolated: Isolated, size: int) -> dict[str, list[dict[str, Any]]]:
    """Empty the projects projection, apply the whole log in batches of `size` events (the
    runner's own way: BatchWriter, flush, checkpoint), and return its tables."""
    await isolated.pool.execute(f"TRUNCATE {', '.join(PROJECTION.tables)}")
    await isolated.pool.execute(
        "DELETE FROM projection_checkpoints WHERE name = $1", PROJECTION.name
    )
    log = await whole_log(isolated)
    runner = isolated.runner(PROJECTION)
    after = START
    async with isolated.pool.acquire() as conn:
        for first in range(0, len(log), size):
            after = await runner.apply_batch(conn, after, log[first : first + size])
    return await tables(isolated, PROJECTION)


async def a_history_of_requests(isolated: Isolated) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """A project with a service, two requests that go through every change, and a request of
    an older database raised on its stream, carried over and then moved on its own."""
    officer, enterprise = new_officer(), new_enterprise()
    desk = RequestDesk(new_project(enterprise))
    project = desk.project
    project.assign_cso(officer, today=TODAY)
    await isolated.save_and_project(officer, enterprise, project)
    # The project's row changes in a batch before its first request's does: the batch
    # writer folds the project's row first, and its recount must not be the last word.
    project.record_service(ServiceKind.VISIT, "走访", date(2024, 5, 30), TODAY)
    permit = desk.raise_request(RequestCategory.PERMIT, "施工许可加急", TODAY)
    land = desk.raise_request(RequestCategory.LAND, "红线调整", TODAY)
    desk.refer_request(permit, ["区住建局", "区规划和自然资源局"])
    desk.return_request(permit, "区规划和自然资源局", "非本局职责")
    desk.refer_request(permit, ["区住建局"])
    desk.extend_request_deadline(land, 5, "需现场踏勘", officer.id)
    desk.resolve_request(permit, "许可证已核发", date(2024, 6, 6))
    desk.rate_request(permit, 2, date(2024, 6, 7))  # a redo: OPEN again, kept again
    desk.resolve_request(permit, "已重新核发", date(2024, 6, 10))
    desk.rate_request(permit, 5, date(2024, 6, 11))
    old = uuid.uuid4()
    project._raise_request(
        request_id=old,
        category=RequestCategory.FINANCING,
        description="贷款贴息",
        raised_on=date(2024, 5, 6),
        due_on=date(2024, 5, 20),
    )
    project._refer_request(request_id=old, departments=["区金融局"])
    project._return_request(request_id=old, department="区金融局", reason="材料不全")
    project._extend_request_deadline(
        request_id=old,
        working_days=3,
        reason="补材料",
        by=officer.id,
        due_on=date(2024, 5, 23),
        calendar_source=CalendarSource.WEEKENDS_ONLY,
        calendar_version="2024:WEEKENDS_ONLY:",
    )
    await isolated.save_and_project(*desk.all_aggregates())
    carried = project.carry_over_request(old)
    carried.refer(["区金融局"])
    carried.resolve("已贴息", date(2024, 6, 12), project)
    carried.rate(1, date(2024, 6, 12), project, weekends_only)
    await isolated.save_and_project(carried, *desk.all_aggregates())
    return permit, land, old


async def test_a_batch_s_requests_leave_the_rows_one_event_a_batch_leaves_however_it_is_cut(
    isolated: Isolated,
) -> None:
    permit, land, old = await a_history_of_requests(isolated)
    one_at_a_time = await replay_in_batches(isolated, 1)
    requests = {row["id"]: row for row in one_at_a_time["rm_requests"]}
    assert (requests[permit]["status"], requests[permit]["redo_count"]) == ("RESOLVED", 1)
    assert (requests[permit]["satisfaction"], requests[permit]["rated"]) == (5, True)
    assert [r["reason"] for r in requests[permit]["returns"]] == ["非本局职责"]
    assert requests[permit]["seq"] < requests[land]["seq"]
    assert [e["reason"] for e in requests[land]["extensions"]] == ["需现场踏勘"]
    assert (requests[old]["own_stream"], requests[old]["status"]) == (True, "OPEN")
    assert (requests[old]["redo_count"], len(requests[old]["returns"])) == (1, 1)
    assert [e["reason"] for e in requests[old]["extensions"]] == ["补材料"]
    [project] = one_at_a_time["rm_projects"]
    assert (project["open_requests"], project["overdue_from"]) == (
        2,
        min(requests[land]["overdue_from"], requests[old]["overdue_from"]),
    )

    for size in (100_000, 2, 3, 5, 8):
        assert await replay_in_batches(isolated, size) == one_at_a_time, f"batches of {size}"


async def test_a_request_raised_and_changed_in_one_batch_is_written_once_as_it_ends(
    isolated: Isolated,
) -> None:
    enterprise = new_enterprise()
    desk = RequestDesk(new_project(enterprise))
    request = desk.raise_request(RequestCategory.PERMIT, "施工许可加急", TODAY)
    desk.refer_request(request, ["区住建局"])
    desk.resolve_request(request, "许可证已核发", date(2024, 6, 6))
    desk.rate_request(request, 5, date(2024, 6, 7))
    await isolated.save_and_project(enterprise, *desk.all_aggregates())
    await isolated.pool.execute(f"TRUNCATE {', '.join(PROJECTION.tables)}")
    await isolated.pool.execute(
        "DELETE FROM projection_checkpoints WHERE name = $1", PROJECTION.name
    )
    log = await whole_log(isolated)

    async with isolated.pool.acquire() as conn, conn.transaction():
        await isolated.runner(PROJECTION).apply_batch(conn, START, log)
        written = await conn.fetchrow(SELECT_WRITES)

    assert written is not None
    # Raised, kept, referred, resolved and rated: one row version, no update.
    assert (written["n_tup_ins"], written["n_tup_upd"]) == (1, 0)
    row = await isolated.pool.fetchrow(SELECT_REQUEST, request)
    assert row is not None
    assert (row["status"], row["satisfaction"], row["version"]) == ("RESOLVED", 5, 4)
    assert (row["seq"], row["departments"], row["open"]) == (2, ["区住建局"], False)
    assert tuple(await isolated.pool.fetchrow(SELECT_PROJECT, desk.project.id)) == (0, None)


async def test_a_project_counts_the_requests_its_batch_raised_after_its_row_changed(
    isolated: Isolated,
) -> None:
    officer, enterprise = new_officer(), new_enterprise()
    desk = RequestDesk(new_project(enterprise))
    desk.project.assign_cso(officer, today=TODAY)
    await isolated.save_and_project(officer, enterprise, desk.project)
    desk.project.record_service(ServiceKind.VISIT, "走访", date(2024, 5, 30), TODAY)
    await isolated.repository.save(desk.project, metadata=Metadata())
    request = desk.raise_request(RequestCategory.PERMIT, "施工许可加急", TODAY)
    await isolated.repository.save(*desk.all_aggregates(), metadata=Metadata())
    log = await whole_log(isolated)
    after = log[-4].checkpoint  # the service, the raise, the project keeping its id
    assert [e.type.rsplit(".", 1)[1] for e in log[-3:]] == [
        "ServiceRecorded",
        "Raised",
        "RequestOpened",
    ]

    async with isolated.pool.acquire() as conn:
        await isolated.runner(PROJECTION).apply_batch(conn, after, log[-3:])

    # The project's row, folded first in the batch, recounted before the request's was
    # written: the recount after the requests' rows has the last word.
    row = await isolated.pool.fetchrow(SELECT_REQUEST, request)
    assert row is not None and row["open"]
    assert tuple(await isolated.pool.fetchrow(SELECT_PROJECT, desk.project.id)) == (
        1,
        row["overdue_from"],
    )


async def test_a_command_s_batch_costs_the_round_trips_it_did_one_statement_an_event(
    isolated: Isolated,
) -> None:
    # The live path: a batch is one command's events. Folding must not add a round trip
    # (the figures are those of the statement-an-event writes before the fold).
    enterprise = new_enterprise()
    desk = RequestDesk(new_project(enterprise))
    await isolated.save_and_project(enterprise, desk.project)
    request = desk.raise_request(RequestCategory.PERMIT, "施工许可加急", TODAY)
    commands = [
        lambda: None,  # raised above
        lambda: desk.refer_request(request, ["区住建局"]),
        lambda: desk.extend_request_deadline(request, 3, "需踏勘", None),
        lambda: desk.resolve_request(request, "许可证已核发", date(2024, 6, 6)),
        lambda: desk.rate_request(request, 5, date(2024, 6, 7)),
    ]
    marks = []
    for command in commands:
        marks.append(await isolated.pool.fetchval("SELECT max(position) FROM events"))
        command()
        await isolated.save_and_project(*desk.all_aggregates())
    log = await whole_log(isolated)

    trips = []
    for before, after in zip(marks, [*marks[1:], log[-1].position], strict=True):
        batch = [e for e in log if before < e.position <= after]
        async with isolated.pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            writer = BatchWriter(conn, keyed=PROJECTION.keyed, scopes=PROJECTION.scopes())
            for recorded in batch:
                handler = PROJECTION.handlers[recorded.type]
                event = decode(isolated.repository.codec, recorded)
                await handler(cast("asyncpg.Connection[Any]", writer), event, recorded)
            await writer.flush()
            await transaction.rollback()
        trips.append(([e.type.rsplit(".", 1)[1] for e in batch], writer.round_trips))

    assert trips == [
        (["Raised", "RequestOpened"], 3),
        (["Referred"], 1),
        (["DeadlineExtended"], 2),
        (["Resolved", "RequestSettled"], 3),
        (["Rated"], 1),
    ]


async def written_alone(isolated: Isolated, request_id: Any, change: Any) -> None:
    """`change` written on a plain connection (as the runner's statement-by-statement retry
    writes it)."""
    async with isolated.pool.acquire() as conn:
        await merge(conn, request_rows.ROW, request_id, change)


async def test_a_change_to_a_row_already_past_its_first_event_is_not_applied_again(
    isolated: Isolated,
) -> None:
    enterprise = new_enterprise()
    desk = RequestDesk(new_project(enterprise))
    request = desk.raise_request(RequestCategory.PERMIT, "施工许可加急", TODAY)
    desk.refer_request(request, ["区住建局"])
    await isolated.save_and_project(enterprise, *desk.all_aggregates())
    before = await isolated.pool.fetchrow(SELECT_REQUEST, request)
    assert before is not None and before["version"] == 2
    again = request_rows.guarded(
        request_rows.OWN, 2, AT, status="OPEN", departments=[], joint=False
    )
    again.returns.append(("区住建局", "非本局", AT))
    again.redos = 1

    await written_alone(isolated, request, again)

    assert await isolated.pool.fetchrow(SELECT_REQUEST, request) == before


async def test_an_older_database_s_change_is_not_applied_to_a_row_in_its_own_stream(
    isolated: Isolated,
) -> None:
    # Its project's versions run past the request's own: only `own_stream` tells them apart.
    enterprise, project, old = project_with_legacy_request()
    await isolated.save_and_project(enterprise, project)
    await isolated.save_and_project(project.carry_over_request(old), project)
    before = await isolated.pool.fetchrow(SELECT_REQUEST, old)
    assert before is not None and (before["own_stream"], before["version"]) == (True, 2)
    legacy = request_rows.guarded(
        request_rows.LEGACY, 3, AT, status="REFERRED", departments=["区住建局"], joint=False
    )

    await written_alone(isolated, old, legacy)

    assert await isolated.pool.fetchrow(SELECT_REQUEST, old) == before


async def test_a_carry_over_applies_to_a_project_s_row_once(isolated: Isolated) -> None:
    enterprise, project, old = project_with_legacy_request()
    project._refer_request(request_id=old, departments=["区规划和自然资源局"])
    await isolated.save_and_project(enterprise, project)
    legacy = await isolated.pool.fetchrow(SELECT_REQUEST, old)
    assert legacy is not None and (legacy["own_stream"], legacy["version"]) == (False, 3)

    def carry() -> request_rows.RequestChange:
        change = request_rows.guarded(request_rows.CARRY, 2, AT, status="OPEN", departments=[])
        change.redo_base, change.carried = 4, True
        return change

    # Version 2 of its own stream, below the project's 3: carried over all the same.
    await written_alone(isolated, old, carry())
    carried = await isolated.pool.fetchrow(SELECT_REQUEST, old)
    assert carried is not None
    assert (carried["own_stream"], carried["version"], carried["redo_count"]) == (True, 2, 4)
    assert (carried["status"], carried["departments"], carried["seq"]) == ("OPEN", [], 2)

    await written_alone(isolated, old, carry())

    assert await isolated.pool.fetchrow(SELECT_REQUEST, old) == carried


async def test_a_raise_of_a_row_already_there_changes_it_only_by_the_batch_s_later_events(
    isolated: Isolated,
) -> None:
    enterprise, project, old = project_with_legacy_request()
    project._return_request(request_id=old, department="区住建局", reason="非本局")
    await isolated.save_and_project(enterprise, project)
    before = await isolated.pool.fetchrow(SELECT_REQUEST, old)
    assert before is not None
    raised = request_rows.raised(
        request_rows.Raised(
            version=1,
            created_at=AT,
            source="PROJECT",
            project_id=project.id,
            posting_id=None,
            enterprise_id=enterprise.id,
            category="PERMIT",
            description="另一件事",
            status="OPEN",
            raised_on=TODAY,
            due_on=TODAY,
            calendar_source=None,
            calendar_version=None,
            open=True,
            overdue_from=TODAY,
            due_soon_from=TODAY,
        )
    )
    rated = request_rows.guarded(request_rows.CARRY, 2, AT, satisfaction=4, rated=True)
    change = request_rows.ROW.fold(request_rows.ROW.fold(None, raised), rated)

    await written_alone(isolated, old, change)

    after = await isolated.pool.fetchrow(SELECT_REQUEST, old)
    assert after is not None
    assert (after["category"], after["description"]) == ("LAND", "红线调整")
    assert (after["satisfaction"], after["rated"], after["version"]) == (4, True, 2)
    assert after["returns"] == before["returns"] != []
    assert (after["created_at"], after["seq"]) == (before["created_at"], before["seq"])


async def test_a_project_s_keep_appended_before_its_request_s_raise_leaves_the_same_rows_however_the_log_is_cut(  # noqa: E501
    isolated: Isolated,
) -> None:
    officer, enterprise = new_officer(), new_enterprise()
    desk = RequestDesk(new_project(enterprise))
    desk.project.assign_cso(officer, today=TODAY)
    await isolated.save_and_project(officer, enterprise, desk.project)
    desk.raise_request(RequestCategory.PERMIT, "施工许可加急", TODAY)
    desk.raise_request(RequestCategory.LAND, "红线调整", TODAY)
    # The project (its RequestOpened, which keeps each id) before the requests' Raised: the
    # order a use case appends in is the other, but the district seed's batched appends write
    # this one.
    await isolated.save_and_project(desk.project, *desk.requests.values())
    whole = await replay_in_batches(isolated, 100_000)

    for size in (1, 2, 3, 4):
        assert await replay_in_batches(isolated, size) == whole, f"batches of {size}"
