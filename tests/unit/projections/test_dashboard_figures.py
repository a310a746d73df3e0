from __future__ import annotations

from cso.domain.enums import ProjectStage
from cso.projections.dashboard import Coverage, StageCount, coverage, stage_counts


def test_every_stage_is_counted_in_order_with_zeros_for_stages_without_projects() -> None:
    assert stage_counts({"CLOSED": 2, "SIGNED": 5}) == [
        StageCount(ProjectStage.SIGNED, 5),
        StageCount(ProjectStage.SITE_SELECTED, 0),
        StageCount(ProjectStage.LAND_DELIVERED, 0),
        StageCount(ProjectStage.CONSTRUCTION_STARTED, 0),
        StageCount(ProjectStage.COMPLETED, 0),
        StageCount(ProjectStage.OPERATING, 0),
        StageCount(ProjectStage.CLOSED, 2),
    ]


def test_coverage_rates_are_shares_of_the_enterprises_and_none_without_any() -> None:
    assert coverage(4, 1, 3) == Coverage(4, 1, 3, 0.25, 0.75)
    assert coverage(0, 0, 0) == Coverage(0, 0, 0, None, None)
