"""How the BatchWriter groups what it sends (a connection that only notes what it is sent)."""

from __future__ import annotations

from typing import Any, cast

import asyncpg
import pytest

from cso.projections.batch import (
    BatchWriter,
    DeferredWriteFailed,
    NeedsConnection,
    Touch,
    merge,
)


class NotingConnection:
    """Notes each call as (method, query, rows); fails on a query named `fail_on`."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.sent: list[tuple[str, str, list[tuple[Any, ...]]]] = []
        self.fail_on = fail_on

    async def execute(self, query: str, *args: Any) -> str:
        self._note("execute", query, [args])
        return "OK"

    async def executemany(self, query: str, rows: list[tuple[Any, ...]]) -> None:
        self._note("executemany", query, list(rows))

    async def copy_records_to_table(self, table_name: str, *, records: list[Any]) -> str:
        self._note("copy", table_name, records)
        return "COPY"

    async def fetchval(self, query: str, *args: Any) -> Any:
        self._note("fetchval", query, [args])
        return 1

    def _note(self, method: str, query: str, rows: list[tuple[Any, ...]]) -> None:
        if query == self.fail_on:
            raise RuntimeError(f"{query} failed")
        self.sent.append((method, query, rows))


def writer_on(conn: NotingConnection) -> BatchWriter:
    return BatchWriter(cast("asyncpg.Connection[Any]", conn))


async def test_consecutive_writes_of_one_sql_go_as_one_executemany_and_nothing_is_reordered() -> (
    None
):
    conn = NotingConnection()
    writer = writer_on(conn)
    for args in [("A", 1), ("A", 2), ("B", 3), ("A", 4), ("A", 5), ("A", 6)]:
        await writer.execute(args[0], args[1])
    assert conn.sent == []

    await writer.flush()

    assert conn.sent == [
        ("executemany", "A", [(1,), (2,)]),
        ("execute", "B", [(3,)]),
        ("executemany", "A", [(4,), (5,), (6,)]),
    ]
    assert writer.round_trips == 3


async def test_writes_without_arguments_are_sent_one_by_one_as_a_direct_execute_would() -> None:
    conn = NotingConnection()
    writer = writer_on(conn)
    await writer.execute("NOTIFY x")
    await writer.execute("NOTIFY x")

    await writer.flush()

    assert conn.sent == [("execute", "NOTIFY x", [()]), ("execute", "NOTIFY x", [()])]


async def test_a_read_sends_the_queued_writes_first() -> None:
    conn = NotingConnection()
    writer = writer_on(conn)
    await writer.execute("A", 1)

    assert await writer.fetchval("R") == 1

    assert [method for method, _, _ in conn.sent] == ["execute", "fetchval"]


async def test_a_failing_write_surfaces_as_deferred_write_failed_with_its_cause() -> None:
    conn = NotingConnection(fail_on="B")
    writer = writer_on(conn)
    await writer.execute("A", 1)
    await writer.execute("B", 2)
    await writer.execute("C", 3)

    with pytest.raises(DeferredWriteFailed) as failed:
        await writer.flush()

    assert str(failed.value.__cause__) == "B failed"
    assert [query for _, query, _ in conn.sent] == ["A"], "nothing after the failure is sent"


async def test_a_handler_s_executemany_joins_the_run_of_its_sql() -> None:
    conn = NotingConnection()
    writer = writer_on(conn)
    await writer.execute("A", 1)
    await writer.executemany("A", [(2,), (3,)])
    await writer.executemany("B", [])

    await writer.flush()

    assert conn.sent == [("executemany", "A", [(1,), (2,), (3,)])]


async def test_a_copy_goes_after_the_writes_queued_before_it() -> None:
    conn = NotingConnection()
    writer = writer_on(conn)
    await writer.execute("A", 1)

    await writer.copy_records_to_table("t", records=[(2,)])

    assert conn.sent == [("execute", "A", [(1,)]), ("copy", "t", [(2,)])]


def keyed_writer(conn: NotingConnection, keyed: dict[str, tuple[int, ...]]) -> BatchWriter:
    return BatchWriter(cast("asyncpg.Connection[Any]", conn), keyed=keyed)


async def test_keyed_writes_join_an_earlier_run_of_their_sql_past_writes_of_other_keys() -> None:
    conn = NotingConnection()
    writer = keyed_writer(conn, {"A": (1,), "B": (1,)})
    for query, key in [("A", "x"), ("B", "y"), ("A", "z"), ("B", "w")]:
        await writer.execute(query, key)

    await writer.flush()

    assert conn.sent == [
        ("executemany", "A", [("x",), ("z",)]),
        ("executemany", "B", [("y",), ("w",)]),
    ]


async def test_a_keyed_write_stays_after_writes_of_its_keys_and_after_any_barrier() -> None:
    conn = NotingConnection()
    writer = keyed_writer(conn, {"A": (1,), "B": (1, 2)})
    await writer.execute("A", "p")
    await writer.execute("B", "q", "p")  # shares p with the first A: must follow it
    await writer.execute("A", "p")  # shares p with that B: must follow it
    await writer.execute("C", "anything")  # undeclared: a barrier both ways
    await writer.execute("A", "r")  # may not move ahead of the barrier

    await writer.flush()

    assert [(query, rows) for _, query, rows in conn.sent] == [
        ("A", [("p",)]),
        ("B", [("q", "p")]),
        ("A", [("p",)]),
        ("C", [("anything",)]),
        ("A", [("r",)]),
    ]


async def test_deferred_statements_run_once_after_the_flushed_writes_with_every_key_once() -> None:
    conn = NotingConnection()
    writer = keyed_writer(conn, {"A": (1,)})
    await writer.execute("A", 1)
    writer.defer("RECOUNT", "p1")
    await writer.execute("A", 2)
    writer.defer("RECOUNT", "p2")
    writer.defer("RECOUNT", "p1")

    await writer.flush()
    await writer.flush()  # nothing left: the deferred keys went with the first flush

    assert conn.sent == [
        ("executemany", "A", [(1,), (2,)]),
        ("execute", "RECOUNT", [(["p1", "p2"],)]),
    ]


async def test_a_write_keyed_on_no_arguments_joins_its_run_like_any_keyed_write() -> None:
    conn = NotingConnection()
    writer = keyed_writer(conn, {"A": (), "B": (1,)})
    for query, value in [("A", "x"), ("B", "y"), ("A", "z")]:
        await writer.execute(query, value)

    await writer.flush()

    assert conn.sent == [("executemany", "A", [("x",), ("z",)]), ("execute", "B", [("y",)])]


async def test_touches_of_one_row_fold_into_the_last_one_written_after_the_other_writes() -> None:
    conn = NotingConnection()
    writer = writer_on(conn)
    touched = Touch("TOUCH")
    for version in (2, 3, 4):
        await merge(writer, touched, "row", (version, f"at {version}"))
        await writer.execute("A", version)
    await merge(writer, touched, "other", (7, "at 7"))

    await writer.flush()

    assert conn.sent == [
        ("executemany", "A", [(2,), (3,), (4,)]),
        ("executemany", "TOUCH", [("row", 4, "at 4"), ("other", 7, "at 7")]),
    ]


async def test_a_writer_without_a_connection_queues_past_max_pending_and_sends_all_on_attach() -> (
    None
):
    writer = BatchWriter(None, max_pending=2)
    for n in range(5):
        await writer.execute("A", n)
    writer.defer("D", "k")
    conn = NotingConnection()

    await writer.attach(cast("asyncpg.Connection[Any]", conn)).flush()

    assert conn.sent == [
        ("executemany", "A", [(0,), (1,), (2,), (3,), (4,)]),
        ("execute", "D", [(["k"],)]),
    ]


async def test_a_writer_without_a_connection_refuses_a_read_and_keeps_what_it_queued() -> None:
    writer = BatchWriter(None)
    await writer.execute("A", 1)

    with pytest.raises(NeedsConnection):
        await writer.fetchval("SELECT 1")
    with pytest.raises(NeedsConnection):
        await writer.flush()

    conn = NotingConnection()
    await writer.attach(cast("asyncpg.Connection[Any]", conn)).flush()
    assert conn.sent == [("execute", "A", [(1,)])]


async def test_rows_each_in_their_own_order_pack_into_as_many_runs_as_the_longest_order() -> None:
    conn = NotingConnection()
    writer = keyed_writer(conn, {"A": (1,), "B": (1,)})
    for query, key in [("A", "x"), ("B", "x"), ("A", "x"), ("A", "y"), ("B", "y")]:
        await writer.execute(query, key)

    await writer.flush()

    # x's order is A, B, A; y's is A, B: y's writes join the first runs of their SQL that
    # come after y's earlier ones, not a new run after x's last A.
    assert [(query, rows) for _, query, rows in conn.sent] == [
        ("A", [("x",), ("y",)]),
        ("B", [("x",), ("y",)]),
        ("A", [("x",)]),
    ]


async def test_a_key_orders_only_statements_on_the_tables_they_share_when_scoped() -> None:
    conn = NotingConnection()
    writer = BatchWriter(
        cast("asyncpg.Connection[Any]", conn),
        keyed={"T1": (1,), "T2": (1,), "T12": (1,)},
        scopes={"T1": ("t1",), "T2": ("t2",), "T12": ("t1", "t2")},
    )
    for query in ["T1", "T2", "T1", "T12", "T2"]:
        await writer.execute(query, "p")

    await writer.flush()

    # The second T1 need not wait for T2 (another table); T12 touches both, so it follows
    # every one of them, and the last T2 follows it.
    assert [(query, rows) for _, query, rows in conn.sent] == [
        ("T1", [("p",), ("p",)]),
        ("T2", [("p",)]),
        ("T12", [("p",)]),
        ("T2", [("p",)]),
    ]


async def test_a_keyed_statement_without_a_scope_keeps_its_place_among_the_scoped_ones() -> None:
    # (A statement declared keyed after its runner took the projection's scopes, say.) Its
    # tables are unknown: scoped keys must not let another statement of the row pass it.
    conn = NotingConnection()
    writer = BatchWriter(
        cast("asyncpg.Connection[Any]", conn),
        keyed={"A": (1,), "B": (1,)},
        scopes={"A": ("t",)},
    )
    for query in ["A", "B", "A"]:
        await writer.execute(query, "p")

    await writer.flush()

    assert [(query, rows) for _, query, rows in conn.sent] == [
        ("A", [("p",)]),
        ("B", [("p",)]),
        ("A", [("p",)]),
    ]
