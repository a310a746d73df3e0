from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from cso.domain.enums import (
    Milestone,
    ProjectOutcome,
    ProjectStage,
    RequestCategory,
    RequestStatus,
    ServiceKind,
)
from cso.domain.officer import Officer
from cso.domain.project import Project
from cso.domain.project_errors import NotYetOperating, OpenRequestsRemain, ProjectClosed
from cso.domain.request_rules import SettledByCancellation
from tests.request_desk import RequestDesk

MakeOfficer = Callable[..., Officer]


@pytest.fixture
def project(project: Project) -> RequestDesk:
    """The conftest's project, with the requests it raises at hand."""
    return RequestDesk(project)


def operate(project: RequestDesk, today: date) -> None:
    for milestone in list(Milestone)[1:]:
        project.reach_milestone(milestone, on=today, today=today)


def test_a_cancelled_project_is_closed_even_with_open_requests(
    project: RequestDesk, today: date
) -> None:
    project.raise_request(RequestCategory.LAND, "Land price", today=today)
    project.close(ProjectOutcome.CANCELLED, reason=" Investor withdrew ")
    assert project.closed
    assert project.outcome is ProjectOutcome.CANCELLED
    assert project.close_reason == "Investor withdrew"
    assert project.stage is ProjectStage.CLOSED


def test_cancelling_settles_each_open_request_out_of_the_on_time_figure(
    project: RequestDesk, today: date
) -> None:
    open_id = project.raise_request(RequestCategory.LAND, "Land price", today=today)
    referred_id = project.raise_request(RequestCategory.PERMIT, "Permit", today=today)
    project.refer_request(referred_id, ["Fire Brigade"])
    answered_id = project.raise_request(RequestCategory.TALENT, "Flat", today=today)
    project.resolve_request(answered_id, "Allocated", today=today)
    project.close(ProjectOutcome.CANCELLED, reason="Investor withdrew")
    assert project.open_request_ids == []
    for request_id in (open_id, referred_id):
        request = project.request(request_id)
        assert (request.status, request.resolved_on, request.on_time) == (
            RequestStatus.RESOLVED,
            today,
            None,
        )
        assert request.resolution == (
            f"Settled without an answer: project {project.name} was cancelled."
        )
        assert [type(e).__name__ for e in request.collect_events()][-1] == "Resolved"
    assert project.request(answered_id).resolution == "Allocated"
    settled = [e for e in project.collect_events() if type(e).__name__ == "RequestSettled"]
    assert len(settled) == 3  # the answer, then the two the cancellation settled


def test_a_request_settled_by_cancellation_cannot_be_rated(
    project: RequestDesk, today: date
) -> None:
    request_id = project.raise_request(RequestCategory.LAND, "Land price", today=today)
    project.close(ProjectOutcome.CANCELLED)
    with pytest.raises(SettledByCancellation, match="no answer to rate"):
        project.rate_request(request_id, 5, today=today)


def test_closing_with_other_requests_than_the_open_ones_is_a_callers_mistake(
    project: RequestDesk, today: date
) -> None:
    project.raise_request(RequestCategory.LAND, "Land price", today=today)
    with pytest.raises(ValueError, match="open requests"):
        project.project.close(ProjectOutcome.CANCELLED, None, None, [], today)
    assert not project.closed


def test_a_project_closes_as_operating_only_after_reaching_operating(
    project: RequestDesk, today: date
) -> None:
    with pytest.raises(NotYetOperating, match="it is at SIGNED"):
        project.close(ProjectOutcome.OPERATING)
    operate(project, today)
    project.close(ProjectOutcome.OPERATING)
    assert project.outcome is ProjectOutcome.OPERATING


@pytest.mark.parametrize("outcome", [ProjectOutcome.OPERATING, ProjectOutcome.RELOCATED])
def test_a_project_with_unresolved_requests_closes_only_as_cancelled(
    project: RequestDesk, today: date, outcome: ProjectOutcome
) -> None:
    operate(project, today)
    request_id = project.raise_request(RequestCategory.TALENT, "Housing", today=today)
    project.refer_request(request_id, ["Talent Office"])
    with pytest.raises(OpenRequestsRemain, match="1 still open"):
        project.close(outcome)
    project.resolve_request(request_id, "Flat allocated", today=today)
    project.close(outcome)
    assert project.outcome is outcome


def test_a_relocated_project_need_not_have_reached_operating(project: RequestDesk) -> None:
    project.close(ProjectOutcome.RELOCATED)
    assert project.outcome is ProjectOutcome.RELOCATED


def test_nothing_is_recorded_on_a_closed_project(
    project: RequestDesk, cso: Officer, make_officer: MakeOfficer, today: date
) -> None:
    project.assign_cso(cso, today=today)
    project.set_service_plan(["Procedure agency"])
    request_id = project.raise_request(RequestCategory.PERMIT, "Permit", today=today)
    project.resolve_request(request_id, "Issued", today=today)
    project.close(ProjectOutcome.RELOCATED, cso=cso)
    version = project.version
    commands: list[Callable[[], object]] = [
        lambda: project.reach_milestone(Milestone.SITE_SELECTED, on=today, today=today),
        lambda: project.assign_cso(make_officer(name="Chen Jie"), today=today, reason="r"),
        lambda: project.set_service_plan(["Procedure agency"]),
        lambda: project.complete_service_item("Procedure agency"),
        lambda: project.record_service(ServiceKind.VISIT, "Visit", occurred_on=today, today=today),
        lambda: project.raise_request(RequestCategory.OTHER, "More", today=today),
        lambda: project.refer_request(request_id, ["Fire Brigade"]),
        lambda: project.rate_request(request_id, 1, today),  # a redo would reopen it
        lambda: project.close(ProjectOutcome.CANCELLED, cso=cso),
    ]
    for command in commands:
        with pytest.raises(ProjectClosed, match="is closed"):
            command()
    assert project.version == version


def test_closing_keeps_the_cso_history(served_project: RequestDesk, cso: Officer) -> None:
    served_project.close(ProjectOutcome.CANCELLED, cso=cso)
    assert served_project.cso_id == cso.id
    assert cso.cso_project_ids == []
    assert served_project.cso_terms == 1


def test_a_closed_project_still_reads_its_requests(project: RequestDesk, today: date) -> None:
    request_id = project.raise_request(RequestCategory.POLICY, "Subsidy", today=today)
    project.resolve_request(request_id, "Granted", today=today)
    project.close(ProjectOutcome.RELOCATED)
    assert project.request(request_id).status.value == "RESOLVED"


def test_a_closed_projects_request_takes_a_good_rating_but_no_redo(
    project: RequestDesk, today: date
) -> None:
    request_id = project.raise_request(RequestCategory.PERMIT, "Permit", today=today)
    project.resolve_request(request_id, "Issued", today=today)
    project.close(ProjectOutcome.RELOCATED)
    with pytest.raises(ProjectClosed):
        project.rate_request(request_id, 2, today)
    project.rate_request(request_id, 4, today)
    assert project.request(request_id).satisfaction == 4
    assert project.open_request_ids == []
