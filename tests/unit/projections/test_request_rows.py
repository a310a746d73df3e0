"""A request's changes folded (request_rows.RequestRow): in event order, into one write."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from cso.projections import request_rows
from cso.projections.request_rows import CARRY, LEGACY, OWN, ROW, RequestChange

AT = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)
DAY = date(2024, 6, 3)


def at(minutes: int) -> datetime:
    return AT + timedelta(minutes=minutes)


def folded(*changes: RequestChange) -> RequestChange:
    result: RequestChange | None = None
    for change in changes:
        result = ROW.fold(result, change)
    assert result is not None
    return result


def parameter(arguments: tuple[object, ...], n: int) -> object:
    """The statement's parameter `$n` among `arguments`."""
    return arguments[n - 1]


def raised_row() -> request_rows.Raised:
    return request_rows.Raised(
        version=1,
        created_at=AT,
        source="PROJECT",
        project_id=uuid.uuid4(),
        posting_id=None,
        enterprise_id=uuid.uuid4(),
        category="PERMIT",
        description="施工许可加急",
        status="OPEN",
        raised_on=DAY,
        due_on=date(2024, 6, 17),
        calendar_source=None,
        calendar_version=None,
        open=True,
        overdue_from=date(2024, 6, 18),
        due_soon_from=date(2024, 6, 13),
    )


def test_the_last_value_an_event_set_wins_and_the_first_guard_stays() -> None:
    change = folded(
        request_rows.guarded(OWN, 2, at(1), status="REFERRED", departments=["区住建局"]),
        request_rows.guarded(OWN, 3, at(2), status="RESOLVED", satisfaction=None),
        request_rows.guarded(OWN, 4, at(3), satisfaction=5, rated=True),
    )

    assert (change.guard, change.first_version) == (OWN, 2)
    assert (change.version, change.updated_at) == (4, at(3))
    assert change.sets == {
        "status": "RESOLVED",
        "departments": ["区住建局"],
        "satisfaction": 5,
        "rated": True,
    }


def test_returns_and_extensions_are_appended_in_event_order() -> None:
    first = request_rows.guarded(OWN, 2, at(1), status="OPEN")
    first.returns.append(("区住建局", "非本局", at(1)))
    second = request_rows.guarded(OWN, 3, at(2), due_on=DAY)
    second.extensions.append((5, "需踏勘", None, at(2), None))
    third = request_rows.guarded(OWN, 4, at(3), status="OPEN")
    third.returns.append(("区金融局", "材料不全", at(3)))

    change = folded(first, second, third)

    assert [r[1] for r in change.returns] == ["非本局", "材料不全"]
    assert change.extensions == [(5, "需踏勘", None, at(2), None)]


def test_redos_count_on_from_the_count_a_carry_over_set() -> None:
    redo = request_rows.guarded(OWN, 3, at(1), status="OPEN")
    redo.redos = 1
    carry = request_rows.guarded(CARRY, 2, at(0), status="OPEN")
    carry.redo_base, carry.carried = 2, True
    again = request_rows.guarded(OWN, 4, at(2), status="OPEN")
    again.redos = 1

    change = folded(redo, carry, again)

    assert (change.redo_base, change.redos, change.carried) == (2, 1, True)
    assert (change.guard, change.first_version) == (OWN, 3)


def test_the_first_project_version_to_keep_the_id_is_the_seq() -> None:
    change = folded(
        request_rows.keep(7),
        request_rows.guarded(LEGACY, 8, at(1), rated=True),
        request_rows.keep(9),
    )

    assert (change.seq, change.guard, change.first_version) == (7, LEGACY, 8)


def test_a_keep_alone_is_unguarded_and_a_raise_alone_updates_nothing() -> None:
    kept = ROW.arguments(uuid.uuid4(), request_rows.keep(7))
    raised = ROW.arguments(uuid.uuid4(), request_rows.raised(raised_row()))

    assert [parameter(kept, n) for n in (request_rows.RAISE, request_rows.UPDATE)] == [
        False,
        True,
    ]
    assert parameter(kept, request_rows.GUARD) == request_rows.NO_GUARD
    assert [parameter(raised, n) for n in (request_rows.RAISE, request_rows.UPDATE)] == [
        True,
        False,
    ]


def test_the_statement_s_arguments_follow_its_parameters() -> None:
    row = raised_row()
    change = folded(
        request_rows.raised(row),
        request_rows.keep(2),
        request_rows.guarded(OWN, 2, at(1), status="RESOLVED", overdue_from=None),
    )
    change.extensions.append((5, "需踏勘", None, at(1), request_rows.actor_json({"id": "x"})))

    arguments = ROW.arguments(uuid.uuid4(), change)

    def at_(n: int) -> object:
        return parameter(arguments, n)

    query, sent = ROW.statement(uuid.uuid4(), change)
    assert query == request_rows.RAISE_REQUEST_ROW and len(sent) == len(arguments)
    assert f"${len(arguments)}::" in query and f"${len(arguments) + 1}" not in query
    assert at_(request_rows.RAISE) is True
    assert (at_(2), at_(12)) == (1, date(2024, 6, 17))  # the raised version and due_on
    assert at_(request_rows.MASK) == request_rows.BIT["status"] | request_rows.BIT["overdue_from"]
    assert at_(request_rows.MASK + 1) == "RESOLVED"
    assert (at_(request_rows.SEQ), at_(request_rows.RETURNS)) == (2, [])
    assert at_(request_rows.EXTENSIONS + 4) == ['{"id": "x"}']


def test_a_column_no_event_sets_is_refused() -> None:
    with pytest.raises(ValueError, match="seq"):
        request_rows.guarded(OWN, 2, AT, seq=3)


def test_a_change_without_a_raise_is_an_update_numbered_for_the_arguments_after_the_raise() -> None:
    change = folded(
        request_rows.guarded(OWN, 3, at(1), status="RESOLVED"),
        request_rows.guarded(OWN, 4, at(2), satisfaction=5, rated=True),
    )
    key = uuid.uuid4()
    arguments = ROW.arguments(key, change)

    query, sent = ROW.statement(key, change)

    assert query == request_rows.UPDATE_REQUEST_ROW and query.lstrip().startswith("UPDATE")
    assert sent == (key, *arguments[request_rows.RAISE :])
    numbers = {int(n) for n in re.findall(r"\$(\d+)", query)}
    assert numbers == set(range(1, len(sent) + 1)), "every argument named, none missing"
    # The guard's and the mask's places moved down by the raised row's 17.
    assert sent[request_rows.FIRST - request_rows.RAISE] == 3
    assert f"${request_rows.FIRST - (request_rows.RAISE - 1)}::int" in query
