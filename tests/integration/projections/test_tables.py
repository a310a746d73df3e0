"""Each read-model table belongs to exactly one projection, which declares it."""

from __future__ import annotations

from typing import Any

import asyncpg

from cso.projections import ALL_PROJECTIONS
from cso.projections.base import Projection

READ_MODEL_TABLES = """
SELECT table_name FROM information_schema.tables
WHERE table_schema = current_schema() AND table_name LIKE 'rm\\_%'
"""


async def test_every_read_model_table_is_declared_by_exactly_one_projection(
    pool: asyncpg.Pool[Any],
) -> None:
    declared = [table for projection in ALL_PROJECTIONS for table in projection.tables]
    existing = {row["table_name"] for row in await pool.fetch(READ_MODEL_TABLES)}
    assert len(declared) == len(set(declared))
    assert set(declared) == existing


def test_a_projection_split_over_modules_declares_the_tables_of_every_part() -> None:
    whole = Projection("whole", tables=("rm_a",))
    whole.include(Projection("whole", tables=("rm_b", "rm_a")))
    assert whole.tables == ("rm_a", "rm_b")
    [projects] = [p for p in ALL_PROJECTIONS if p.name == "projects"]
    assert {"rm_projects", "rm_services", "rm_requests", "rm_service_plans"} <= set(projects.tables)
