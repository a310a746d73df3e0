"""The dashboard's 有呼必应 figures, from the requests read model (a query module; no table).

Each figure counts what the domain decided and the projection stored: `on_time` (resolved
on or before the due date, `project_records.resolved_on_time`) and `overdue_from`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cso.domain.enums import RequestStatus
from cso.projections.requests import overdue

# $1 RESOLVED. A redone request counts its last rating, and is resolved again only once
# answered anew; `rated` and `redo_count` are never reset.
REQUEST_FIGURES = """
SELECT count(*) FILTER (WHERE status = $1 AND on_time) AS on_time,
       count(*) FILTER (WHERE status = $1 AND on_time IS NOT NULL) AS resolved,
       avg(satisfaction)::float8 AS average_satisfaction,
       count(*) FILTER (WHERE redo_count > 0) AS redone,
       count(*) FILTER (WHERE rated) AS rated
FROM rm_requests
"""

# The departments an unresolved request is referred to, each with its open and overdue
# counts; a request handled jointly (会办) counts for every department on it. $1 today.
REQUESTS_BY_DEPARTMENT = f"""
SELECT d.department, count(*) AS open,
       count(*) FILTER (WHERE {overdue("r.overdue_from", "$1::date")}) AS overdue
FROM rm_requests r CROSS JOIN LATERAL unnest(r.departments) AS d(department)
WHERE r.open
GROUP BY d.department
ORDER BY d.department
"""


@dataclass(frozen=True, slots=True)
class DepartmentLoad:
    department: str
    open: int  # referred to it and not resolved
    overdue: int  # of those, past their due date today


@dataclass(frozen=True, slots=True)
class RequestFigures:
    on_time_resolution_rate: float | None  # on time over resolved; None: nothing resolved
    average_satisfaction: float | None  # over rated requests, 1–5; None: none rated
    redo_rate: float | None  # redone at least once over rated at least once; None: none rated
    requests_by_department: list[DepartmentLoad]  # by department name


async def request_figures(db: Any, today: date) -> RequestFigures:
    """The district's request figures today (district time); `db` should be one snapshot
    (a request's ReadSnapshot) so that the two statements agree."""
    resolved = RequestStatus.RESOLVED.value
    row = await db.fetchrow(REQUEST_FIGURES, resolved)
    assert row is not None  # an aggregate query always answers with one row
    departments = await db.fetch(REQUESTS_BY_DEPARTMENT, today)
    return RequestFigures(
        on_time_resolution_rate=row["on_time"] / row["resolved"] if row["resolved"] else None,
        average_satisfaction=row["average_satisfaction"],
        redo_rate=row["redone"] / row["rated"] if row["rated"] else None,
        requests_by_department=[
            DepartmentLoad(r["department"], r["open"], r["overdue"]) for r in departments
        ],
    )
