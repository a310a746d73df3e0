"""The dashboard's figures and the chains' coverage, on a database of their own."""

from __future__ import annotations

import uuid
from datetime import date

from cso.domain.enums import (
    Milestone,
    PartyOrganizationKind,
    ProjectOutcome,
    ProjectStage,
    RequestCategory,
)
from cso.projections.dashboard import (
    Coverage,
    DashboardFigures,
    StageCount,
    chain_coverage,
    dashboard,
)
from tests.integration.projections.conftest import Isolated
from tests.integration.projections.factories import new_chain, new_enterprise, new_project
from tests.request_desk import RequestDesk

TODAY = date(2024, 6, 10)


def stages(**counts: int) -> list[StageCount]:
    return [StageCount(stage, counts.get(stage.name, 0)) for stage in ProjectStage]


async def test_an_empty_dashboard_has_every_stage_at_zero_and_no_rates(
    isolated: Isolated,
) -> None:
    assert await dashboard(isolated.pool, TODAY) == DashboardFigures(
        projects_by_stage=stages(),
        open_requests=0,
        overdue_requests=0,
        median_days_signing_to_construction=None,
        housing_occupancy_rate=None,
        organisation_coverage_rate=None,
        work_coverage_rate=None,
    )
    assert await chain_coverage(isolated.pool, []) == {}


async def test_the_dashboard_figures_on_a_known_data_set(isolated: Isolated) -> None:
    chain, empty_chain = new_chain(), new_chain()
    organised = new_enterprise(chain_id=chain.id)
    organised.record_party_organization(PartyOrganizationKind.BRANCH, 5)
    posted = new_enterprise(chain_id=chain.id)
    posted.begin_posting(uuid.uuid4())
    bare = new_enterprise(sme=False)

    # 60 days from signing to construction, with two requests: one resolved, one overdue.
    sixty = RequestDesk(new_project(organised, signed_on=date(2024, 1, 1), today=TODAY))
    for milestone, on in [
        (Milestone.SITE_SELECTED, date(2024, 1, 10)),
        (Milestone.LAND_DELIVERED, date(2024, 2, 1)),
        (Milestone.CONSTRUCTION_STARTED, date(2024, 3, 1)),
    ]:
        sixty.reach_milestone(milestone, on, TODAY)
    sixty.raise_request(RequestCategory.PERMIT, "施工许可", date(2024, 6, 1))  # due 6-7
    land = sixty.raise_request(RequestCategory.LAND, "用地指标", date(2024, 6, 1))
    sixty.resolve_request(land, "已落实", date(2024, 6, 5))
    # 20 days, and completed since.
    twenty = new_project(posted, signed_on=date(2024, 2, 1), today=TODAY)
    for milestone, on in [
        (Milestone.SITE_SELECTED, date(2024, 2, 5)),
        (Milestone.LAND_DELIVERED, date(2024, 2, 10)),
        (Milestone.CONSTRUCTION_STARTED, date(2024, 2, 21)),
        (Milestone.COMPLETED, date(2024, 5, 1)),
    ]:
        twenty.reach_milestone(milestone, on, TODAY)
    # Signed only, with a referred request due 6-12 (working days): open, not yet overdue.
    signed = RequestDesk(new_project(bare, signed_on=date(2024, 1, 1), today=TODAY))
    policy = signed.raise_request(RequestCategory.POLICY, "政策兑现", date(2024, 6, 5))
    signed.refer_request(policy, ["区科技局"])
    # Cancelled with a request open (due 6-14): cancelling settled it, so it counts nowhere.
    cancelled = RequestDesk(new_project(bare, signed_on=date(2024, 1, 1), today=TODAY))
    cancelled.raise_request(RequestCategory.OTHER, "厂房租赁", date(2024, 6, 1))
    cancelled.close(ProjectOutcome.CANCELLED)
    await isolated.save_and_project(chain, empty_chain, organised, posted, bare)
    await isolated.save_and_project(
        *sixty.all_aggregates(), twenty, *signed.all_aggregates(), *cancelled.all_aggregates()
    )

    assert await dashboard(isolated.pool, TODAY) == DashboardFigures(
        projects_by_stage=stages(SIGNED=1, CONSTRUCTION_STARTED=1, COMPLETED=1, CLOSED=1),
        open_requests=2,
        overdue_requests=1,
        median_days_signing_to_construction=40.0,
        housing_occupancy_rate=None,
        organisation_coverage_rate=1 / 3,
        work_coverage_rate=2 / 3,
    )
    assert (await dashboard(isolated.pool, date(2024, 6, 14))).overdue_requests == 2
    assert (await dashboard(isolated.pool, date(2024, 6, 15))).overdue_requests == 2
    assert await chain_coverage(isolated.pool, [chain.id, empty_chain.id]) == {
        chain.id: Coverage(2, 1, 2, 0.5, 1.0),
        empty_chain.id: Coverage(0, 0, 0, None, None),
    }
