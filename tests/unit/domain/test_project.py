from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from cso.domain.enums import Milestone, OfficerRole, ProjectStage, ServiceKind
from cso.domain.errors import InvalidValue
from cso.domain.officer import Officer, OfficerCannotServe
from cso.domain.project import Project
from cso.domain.project_errors import (
    CsoAlreadyAssigned,
    DateBeforeSigning,
    DateInFuture,
    MilestoneBeforePrevious,
    MilestoneOutOfOrder,
    NoCsoAssigned,
    ReassignmentNeedsReason,
    ServiceItemAlreadyCompleted,
    UnknownServiceItem,
)

MakeOfficer = Callable[..., Officer]
DAY = timedelta(days=1)
AFTER_SIGNED = list(Milestone)[1:]


def reach_all(project: Project, until: Milestone, on: date, today: date) -> None:
    for milestone in AFTER_SIGNED:
        project.reach_milestone(milestone, on=on, today=today)
        if milestone is until:
            return


# -- registration -------------------------------------------------------------


def test_registration_records_the_signed_milestone(project: Project, signed_on: date) -> None:
    assert project.name == "Smart sensor plant"
    assert project.investment == Decimal("12500.00")
    assert project.signed_on == signed_on
    assert [(m.milestone, m.on) for m in project.milestones] == [(Milestone.SIGNED, signed_on)]
    assert project.stage is ProjectStage.SIGNED
    assert project.cso_id is None
    assert not project.closed


def test_a_project_may_be_signed_today(today: date) -> None:
    project = Project.register(uuid4(), "Plant", Decimal(1), None, signed_on=today, today=today)
    assert project.signed_on == today


def test_a_project_cannot_be_signed_in_the_future(today: date) -> None:
    with pytest.raises(DateInFuture, match="future"):
        Project.register(uuid4(), "Plant", Decimal(1), None, signed_on=today + DAY, today=today)


def test_a_project_needs_a_name_and_a_valid_investment(today: date) -> None:
    with pytest.raises(InvalidValue) as no_name:
        Project.register(uuid4(), " ", Decimal(1), None, signed_on=today, today=today)
    with pytest.raises(InvalidValue) as bad_money:
        Project.register(uuid4(), "Plant", Decimal("-1"), None, signed_on=today, today=today)
    assert (no_name.value.field, bad_money.value.field) == ("name", "investment")


# -- milestones ---------------------------------------------------------------


def test_milestones_are_reached_in_order_up_to_operating(project: Project, today: date) -> None:
    for step, milestone in enumerate(AFTER_SIGNED, start=1):
        project.reach_milestone(milestone, on=project.signed_on + step * DAY, today=today)
        assert project.stage is ProjectStage.of(milestone)
    assert [m.milestone for m in project.milestones] == list(Milestone)
    assert project.milestone_date(Milestone.OPERATING) == project.signed_on + 5 * DAY


def test_a_milestone_cannot_be_reached_out_of_order(project: Project, today: date) -> None:
    with pytest.raises(MilestoneOutOfOrder, match="the next milestone is SITE_SELECTED"):
        project.reach_milestone(Milestone.LAND_DELIVERED, on=today, today=today)


def test_a_milestone_cannot_be_reached_twice(project: Project, today: date) -> None:
    project.reach_milestone(Milestone.SITE_SELECTED, on=today, today=today)
    with pytest.raises(MilestoneOutOfOrder, match="SITE_SELECTED has already been reached"):
        project.reach_milestone(Milestone.SITE_SELECTED, on=today, today=today)
    with pytest.raises(MilestoneOutOfOrder, match="SIGNED has already been reached"):
        project.reach_milestone(Milestone.SIGNED, on=today, today=today)


def test_no_milestone_follows_operating(project: Project, today: date) -> None:
    reach_all(project, Milestone.OPERATING, on=today, today=today)
    with pytest.raises(MilestoneOutOfOrder, match="already been reached"):
        project.reach_milestone(Milestone.OPERATING, on=today, today=today)


def test_a_milestone_cannot_be_dated_in_the_future(project: Project, today: date) -> None:
    with pytest.raises(DateInFuture):
        project.reach_milestone(Milestone.SITE_SELECTED, on=today + DAY, today=today)


def test_a_milestone_cannot_be_dated_before_signing(project: Project, today: date) -> None:
    with pytest.raises(DateBeforeSigning, match="before the project was signed"):
        project.reach_milestone(Milestone.SITE_SELECTED, on=project.signed_on - DAY, today=today)


def test_a_milestone_cannot_be_dated_before_the_previous_one(project: Project, today: date) -> None:
    project.reach_milestone(Milestone.SITE_SELECTED, on=today - DAY, today=today)
    with pytest.raises(MilestoneBeforePrevious, match="before SITE_SELECTED"):
        project.reach_milestone(Milestone.LAND_DELIVERED, on=today - 2 * DAY, today=today)


def test_construction_may_start_the_day_land_is_delivered(project: Project, today: date) -> None:
    reach_all(project, Milestone.LAND_DELIVERED, on=today - DAY, today=today)
    project.reach_milestone(Milestone.CONSTRUCTION_STARTED, on=today - DAY, today=today)
    assert project.milestone_date(Milestone.CONSTRUCTION_STARTED) == today - DAY


def test_a_milestone_must_be_a_date_not_a_datetime(project: Project, today: date) -> None:
    with pytest.raises(InvalidValue) as refused:
        project.reach_milestone(Milestone.SITE_SELECTED, on=datetime(2024, 5, 1), today=today)
    assert refused.value.field == "on"


# -- CSO ----------------------------------------------------------------------


def test_the_first_cso_is_assigned_without_a_reason(
    project: Project, cso: Officer, today: date
) -> None:
    project.assign_cso(cso, today=today)
    assert (project.cso_id, project.cso_since, project.cso_terms) == (cso.id, today, 1)
    assigned = project.pending_events[-1]
    assert (assigned.officer_id, assigned.on, assigned.reason) == (cso.id, today, None)


@pytest.mark.parametrize(
    ("roles", "party_member", "failed"),
    [
        ([OfficerRole.CASO], True, "does not hold the CSO role"),
        ([OfficerRole.CSO], False, "is not a party member"),
    ],
)
def test_only_an_officer_who_can_serve_as_cso_is_assigned(
    project: Project,
    make_officer: MakeOfficer,
    today: date,
    roles: list[OfficerRole],
    party_member: bool,
    failed: str,
) -> None:
    officer = make_officer(roles=roles, party_member=party_member)
    with pytest.raises(OfficerCannotServe, match=failed):
        project.assign_cso(officer, today=today)
    assert project.cso_id is None


def test_an_assignment_records_an_event_on_the_officer_as_well(
    project: Project, cso: Officer, today: date
) -> None:
    cso.collect_events()
    project.assign_cso(cso, today=today)
    [on_officer] = cso.collect_events()
    assert type(on_officer).__name__ == "AssignedAsCso"
    assert on_officer.project_id == project.id  # type: ignore[attr-defined]


def test_a_refused_assignment_records_nothing_on_the_officer(
    served_project: Project, make_officer: MakeOfficer, today: date
) -> None:
    successor = make_officer(name="Chen Jie")
    successor.collect_events()
    with pytest.raises(ReassignmentNeedsReason):
        served_project.assign_cso(successor, today=today)
    assert successor.collect_events() == []


def test_an_inactive_officer_is_not_assigned(project: Project, cso: Officer, today: date) -> None:
    cso.deactivate()
    with pytest.raises(OfficerCannotServe, match="is not active"):
        project.assign_cso(cso, today=today)


def test_the_current_cso_cannot_be_assigned_again(
    served_project: Project, cso: Officer, today: date
) -> None:
    with pytest.raises(CsoAlreadyAssigned):
        served_project.assign_cso(cso, today=today, reason="again")


def test_replacing_the_cso_needs_a_reason(
    served_project: Project, make_officer: MakeOfficer, today: date
) -> None:
    successor = make_officer(name="Chen Jie")
    for reason in (None, "  "):
        with pytest.raises(ReassignmentNeedsReason, match="reason"):
            served_project.assign_cso(successor, today=today, reason=reason)


def test_a_replaced_cso_hands_over_and_the_event_keeps_the_reason(
    served_project: Project, cso: Officer, make_officer: MakeOfficer, today: date
) -> None:
    successor = make_officer(name="Chen Jie")
    later = today + 10 * DAY
    served_project.assign_cso(successor, today=later, reason="Li Wei was promoted", previous=cso)
    assert served_project.cso_id == successor.id
    assert (cso.cso_project_ids, successor.cso_project_ids) == ([], [served_project.id])
    assert (served_project.cso_since, served_project.cso_terms) == (later, 2)
    assigned = served_project.pending_events[-1]
    assert (assigned.officer_id, assigned.on) == (successor.id, later)
    assert assigned.reason == "Li Wei was promoted"


def test_a_former_cso_may_be_assigned_again_with_a_reason(
    served_project: Project, cso: Officer, make_officer: MakeOfficer, today: date
) -> None:
    stand_in = make_officer(name="Chen Jie")
    served_project.assign_cso(stand_in, today=today, reason="leave", previous=cso)
    served_project.assign_cso(cso, today=today, reason="back from leave", previous=stand_in)
    assert served_project.cso_id == cso.id
    assert served_project.cso_terms == 3


# -- service plan -------------------------------------------------------------


def test_a_service_plan_lists_named_items_as_planned(project: Project) -> None:
    project.set_service_plan([" Procedure agency ", "Site coordination"])
    assert [(i.item, i.completed) for i in project.service_plan] == [
        ("Procedure agency", False),
        ("Site coordination", False),
    ]
    assert project.service_plan[0].status.value == "PLANNED"


@pytest.mark.parametrize("items", [[], ["Tutoring", "tutoring"], ["Tutoring", " "]])
def test_a_service_plan_needs_unique_non_empty_names(project: Project, items: list[str]) -> None:
    with pytest.raises(InvalidValue) as refused:
        project.set_service_plan(items)
    assert refused.value.field == "items"


def test_a_service_item_is_completed(project: Project) -> None:
    project.set_service_plan(["Procedure agency", "Site coordination"])
    project.complete_service_item("Site coordination")
    assert [i.status.value for i in project.service_plan] == ["PLANNED", "COMPLETED"]


def test_an_unknown_service_item_cannot_be_completed(project: Project) -> None:
    project.set_service_plan(["Procedure agency"])
    with pytest.raises(UnknownServiceItem) as refused:
        project.complete_service_item("Talent housing")
    assert refused.value.field == "item"


def test_a_service_item_is_completed_only_once(project: Project) -> None:
    project.set_service_plan(["Procedure agency"])
    project.complete_service_item("Procedure agency")
    with pytest.raises(ServiceItemAlreadyCompleted):
        project.complete_service_item("Procedure agency")


def test_a_new_plan_keeps_the_completion_of_items_that_remain(project: Project) -> None:
    project.set_service_plan(["Procedure agency", "Site coordination"])
    project.complete_service_item("Procedure agency")
    project.set_service_plan(["Policy tutoring", "Procedure agency"])
    assert [(i.item, i.completed) for i in project.service_plan] == [
        ("Policy tutoring", False),
        ("Procedure agency", True),
    ]


def test_setting_the_same_plan_again_records_nothing(project: Project) -> None:
    project.set_service_plan(["Procedure agency"])
    version = project.version
    project.set_service_plan([" Procedure agency"])
    assert project.version == version


# -- service records ----------------------------------------------------------


def test_no_service_is_recorded_without_a_cso(project: Project, today: date) -> None:
    with pytest.raises(NoCsoAssigned, match="without a CSO"):
        project.record_service(ServiceKind.VISIT, "Site visit", occurred_on=today, today=today)


def test_a_service_is_recorded_with_an_id_and_the_cso_as_officer(
    served_project: Project, cso: Officer, today: date
) -> None:
    service_id = served_project.record_service(
        ServiceKind.TUTORING, " Policy briefing ", occurred_on=today - DAY, today=today
    )
    record = served_project.pending_events[-1]
    assert (served_project.service_count, served_project.latest_service_on) == (1, today - DAY)
    assert (
        record.service_id,
        record.kind,
        record.summary,
        record.occurred_on,
        record.officer_id,
    ) == (
        service_id,
        ServiceKind.TUTORING,
        "Policy briefing",
        today - DAY,
        cso.id,
    )


def test_a_service_records_the_officer_who_did_it(served_project: Project, today: date) -> None:
    helper_id = uuid4()
    served_project.record_service(
        ServiceKind.PROCEDURE_AGENCY,
        "Filed permit",
        occurred_on=today,
        today=today,
        officer_id=helper_id,
    )
    assert served_project.pending_events[-1].officer_id == helper_id


def test_a_service_cannot_be_dated_in_the_future(served_project: Project, today: date) -> None:
    with pytest.raises(DateInFuture):
        served_project.record_service(
            ServiceKind.VISIT, "Visit", occurred_on=today + DAY, today=today
        )


def test_a_service_cannot_be_dated_before_signing(served_project: Project, today: date) -> None:
    with pytest.raises(DateBeforeSigning):
        served_project.record_service(
            ServiceKind.VISIT, "Visit", occurred_on=served_project.signed_on - DAY, today=today
        )


def test_a_service_needs_a_summary(served_project: Project, today: date) -> None:
    with pytest.raises(InvalidValue) as refused:
        served_project.record_service(ServiceKind.VISIT, "", occurred_on=today, today=today)
    assert refused.value.field == "summary"
