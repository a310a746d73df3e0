"""A page of projects fetches, in its one statement, the same CSOs, enterprises and requests
the separate queries by id read: on the demo district, with projects without a CSO or
requests, and requests with returns and extensions."""

from __future__ import annotations

from typing import Any

import asyncpg

from cso.graphql.cursors import MAX_PAGE_SIZE
from cso.projections import enterprises, officers
from cso.projections import project_queries as read_model

EVERYTHING = [None] * 6 + [None, None]  # no filter (today only weighs the overdue filter)


async def _page(pool: Any, beside: list[bool]) -> list[Any]:
    _, rows = await read_model.PROJECTS.fetch(
        pool, EVERYTHING, "CREATED_AT:ASC", MAX_PAGE_SIZE, None, beside
    )
    return rows


async def test_a_page_holds_the_cso_enterprise_and_requests_the_queries_by_id_read(
    projected: asyncpg.Pool[Any],
) -> None:
    rows = await _page(projected, [True, True, True])
    assert 0 < len(rows) <= MAX_PAGE_SIZE
    cso_ids = {row["cso_id"] for row in rows} - {None}
    by_officer = {r["id"]: dict(r) for r in await officers.officers_by_ids(projected, cso_ids)}
    enterprise_ids = {row["enterprise_id"] for row in rows}
    by_enterprise = {
        r["id"]: dict(r) for r in await enterprises.enterprises_by_ids(projected, enterprise_ids)
    }
    ids = [row["id"] for row in rows]
    requests = await read_model.requests_of(projected, ids)
    for row, expected in zip(rows, requests, strict=True):
        cso = None if row["cso_id"] is None else by_officer[row["cso_id"]]
        assert read_model.CSO_BESIDE.of(row) == cso
        assert read_model.ENTERPRISE_BESIDE.of(row) == by_enterprise[row["enterprise_id"]]
        assert [dict(r) for r in read_model.page_requests(row)] == [dict(r) for r in expected]
    assert any(read_model.CSO_BESIDE.of(row) is None for row in rows)
    assert any(not read_model.page_requests(row) for row in rows)
    held = [r for row in rows for r in read_model.page_requests(row)]
    assert any(r["returns"] != "[]" for r in held) and any(r["extensions"] != "[]" for r in held)


async def test_a_page_fetches_nothing_beside_its_rows_unless_asked(
    projected: asyncpg.Pool[Any],
) -> None:
    bare = await _page(projected, [False, False, False])
    full = await _page(projected, [True, True, True])
    assert [row["id"] for row in bare] == [row["id"] for row in full]
    assert all(
        read_model.CSO_BESIDE.of(row) is None
        and read_model.ENTERPRISE_BESIDE.of(row) is None
        and row["requests"] is None
        for row in bare
    )


async def test_a_pages_requests_hold_the_same_instants_whatever_the_sessions_time_zone(
    projected: asyncpg.Pool[Any],
) -> None:
    async with projected.acquire() as conn:
        await conn.execute("SET TIME ZONE 'Asia/Shanghai'")
        try:
            rows = await _page(conn, [False, False, True])
        finally:
            await conn.execute("RESET TIME ZONE")
    expected = await read_model.requests_of(projected, [row["id"] for row in rows])
    held = [[dict(r) for r in read_model.page_requests(row)] for row in rows]
    assert held == [[dict(r) for r in found] for found in expected]
    assert any(held)
