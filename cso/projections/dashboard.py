"""The dashboard's figures and the chains' two coverages (两个覆盖): a read-side query module
over the read models (it is no projection and owns no table). The coverage counts are of
the flags the enterprises' events decided; the rates are the domain's (`chain.coverage`).

Each function answers with one statement, so its figures come from one snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from cso.domain.chain import Coverage, coverage
from cso.domain.enums import ProjectStage, TalentTier
from cso.projections.enterprises import COVERAGE
from cso.projections.enterprises import chain_coverage as chain_coverage_rows
from cso.projections.housing import housing_figures
from cso.projections.requests import overdue

# Stages and request figures as the domain decided and the projections stored them; the
# coverages are the enterprises read model's own count. $1 today.
DASHBOARD = f"""
WITH stages AS (SELECT stage, count(*) AS n FROM rm_projects GROUP BY stage),
     enterprises AS ({COVERAGE})
SELECT
  (SELECT coalesce(array_agg(stage ORDER BY stage), '{{}}') FROM stages) AS stages,
  (SELECT coalesce(array_agg(n ORDER BY stage), '{{}}') FROM stages) AS stage_counts,
  (SELECT count(*) FROM rm_requests WHERE open) AS open_requests,
  (SELECT count(*) FROM rm_requests r WHERE {overdue("r.overdue_from", "$1::date")})
    AS overdue_requests,
  (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY construction_started_on - signed_on)
     FROM rm_projects WHERE construction_started_on IS NOT NULL) AS median_days,
  e.total, e.organisation, e.work
FROM enterprises e
"""


@dataclass(frozen=True, slots=True)
class StageCount:
    stage: ProjectStage
    count: int


@dataclass(frozen=True, slots=True)
class DashboardFigures:
    projects_by_stage: list[StageCount]  # every stage, in the enum's order, zeros included
    open_requests: int  # not resolved
    overdue_requests: int  # not resolved, and today is after the due date
    median_days_signing_to_construction: float | None  # None: no project has started yet
    housing_occupancy_rate: float | None  # None before any unit is listed
    organisation_coverage_rate: float | None  # None: no enterprises
    work_coverage_rate: float | None
    # Every tier, A first, zeros included. Left out of equality so the stage and request
    # figures compare as before; tests of the housing figures compare it by itself.
    waitlist_by_tier: list[tuple[TalentTier, int]] = field(default_factory=list, compare=False)


def stage_counts(counts: dict[str, int]) -> list[StageCount]:
    """Every stage with its count, in the enum's order; stages without projects count 0."""
    return [StageCount(stage, counts.get(stage.value, 0)) for stage in ProjectStage]


async def dashboard(db: Any, today: date) -> DashboardFigures:
    """The district's figures today (district time), from one statement."""
    row = await db.fetchrow(DASHBOARD, today)
    assert row is not None  # an aggregate query always answers with one row
    enterprises = coverage(row["total"], row["organisation"], row["work"])
    median = row["median_days"]
    housing = await housing_figures(db)
    return DashboardFigures(
        projects_by_stage=stage_counts(dict(zip(row["stages"], row["stage_counts"], strict=True))),
        open_requests=row["open_requests"],
        overdue_requests=row["overdue_requests"],
        median_days_signing_to_construction=None if median is None else float(median),
        housing_occupancy_rate=housing.occupancy_rate,
        organisation_coverage_rate=enterprises.organisation_rate,
        work_coverage_rate=enterprises.work_rate,
        waitlist_by_tier=housing.waitlist_by_tier,
    )


async def chain_coverage(db: Any, chain_ids: Iterable[UUID]) -> dict[UUID, Coverage]:
    """Each chain's coverage over the enterprises on it; a chain without any counts zero."""
    rows = await chain_coverage_rows(db, list(chain_ids))
    return {row["id"]: coverage(row["total"], row["organisation"], row["work"]) for row in rows}
