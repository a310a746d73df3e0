"""How a batch's changes to one project's row fold into one write (project_rows)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cso.projections.batch import merge
from cso.projections.project_rows import ROW, UPDATE_PROJECT_ROW, RowChange
from tests.unit.projections.test_batch import NotingConnection, writer_on

AT = datetime(2024, 6, 1, tzinfo=UTC)


def at(version: int, **fields: Any) -> RowChange:
    return RowChange(version, version, AT + timedelta(minutes=version), **fields)


def folded(*changes: RowChange) -> RowChange:
    result: RowChange | None = None
    for change in changes:
        result = ROW.fold(result, change)
    assert result is not None
    return result


def test_folded_changes_keep_the_first_version_and_take_the_last_version_and_time() -> None:
    row = folded(at(3), at(4), at(7))

    assert (row.first_version, row.version, row.updated_at) == (3, 7, AT + timedelta(minutes=7))


def test_services_and_terms_add_up_and_the_latest_service_day_is_the_latest_of_them() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    row = folded(
        at(2, services=1, latest_service_on=date(2024, 4, 18)),
        at(3, cso_id=first, cso_since=date(2024, 1, 5), cso_terms=1),
        at(4, services=1, latest_service_on=date(2024, 2, 1)),  # recorded late
        at(5, cso_id=second, cso_since=date(2024, 3, 1), cso_terms=1),
        at(6),
    )

    assert (row.services, row.latest_service_on) == (2, date(2024, 4, 18))
    assert (row.cso_id, row.cso_since, row.cso_terms) == (second, date(2024, 3, 1), 2)


def test_a_later_stage_wins_and_what_a_later_change_leaves_unset_is_kept() -> None:
    row = folded(
        at(
            2,
            latest_milestone="CONSTRUCTION_STARTED",
            stage="CONSTRUCTION_STARTED",
            construction_started_on=date(2024, 5, 1),
        ),
        at(3, latest_milestone="COMPLETED", stage="COMPLETED"),
        at(4, stage="CLOSED", closed_at=AT, outcome="OPERATING", close_reason=None),
    )

    assert (row.latest_milestone, row.stage) == ("COMPLETED", "CLOSED")
    assert row.construction_started_on == date(2024, 5, 1)
    assert (row.closed_at, row.outcome, row.close_reason) == (AT, "OPERATING", None)


def test_one_change_asking_for_a_recount_makes_the_folded_one_recount() -> None:
    assert folded(at(2), at(3, recount=True), at(4)).recount
    assert not folded(at(2), at(3)).recount


async def test_a_writer_sends_one_row_per_project_after_the_batch_s_other_writes() -> None:
    conn = NotingConnection()
    writer = writer_on(conn)
    one, other = uuid.uuid4(), uuid.uuid4()
    for version in (2, 3, 4):
        await merge(writer, ROW, one, at(version, services=1))
        await writer.execute("INSERT A", version)
    await merge(writer, ROW, other, at(9))

    await writer.flush()

    assert [(method, query) for method, query, _ in conn.sent] == [
        ("executemany", "INSERT A"),
        ("executemany", UPDATE_PROJECT_ROW),
    ]
    rows = conn.sent[1][2]
    assert [row[:5] for row in rows] == [
        (one, 4, AT + timedelta(minutes=4), 2, 3),
        (other, 9, AT + timedelta(minutes=9), 9, 0),
    ]
    await writer.flush()
    assert len(conn.sent) == 2, "a flush forgets what it wrote"


async def test_on_a_plain_connection_a_change_is_written_at_once_alone() -> None:
    conn = NotingConnection()
    project = uuid.uuid4()

    await merge(conn, ROW, project, at(5, services=1))

    assert conn.sent == [
        ("execute", UPDATE_PROJECT_ROW, [ROW.arguments(project, at(5, services=1))])
    ]
