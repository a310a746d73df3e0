"""A department returns (退回) a request referred to it, with a reason."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from cso.domain.enums import RequestCategory, RequestStatus
from cso.domain.errors import InvalidValue
from cso.domain.project import Project
from cso.domain.project_requests import NotReferredToDepartment, RequestAlreadyResolved

FIRE = "Fire Brigade"
HOUSING = "Housing Bureau"


def referred_permit(project: Project, today: date) -> UUID:
    request_id = project.raise_request(RequestCategory.PERMIT, "Fire permit is stuck", today=today)
    project.refer_request(request_id, [FIRE, HOUSING])
    return request_id


def test_a_returned_request_is_open_again_and_referred_nowhere(
    project: Project, today: date
) -> None:
    request_id = referred_permit(project, today)
    project.return_request(request_id, FIRE, " Not ours ")
    request = project.request(request_id)
    assert (request.status, request.departments) == (RequestStatus.OPEN, ())
    assert project._requests[0]["returns"] == [{"department": FIRE, "reason": "Not ours"}]
    assert project.open_requests == [request]


def test_a_returned_request_may_be_referred_and_returned_again(
    project: Project, today: date
) -> None:
    request_id = referred_permit(project, today)
    project.return_request(request_id, FIRE, "Not ours")
    project.refer_request(request_id, [HOUSING])
    project.return_request(request_id, HOUSING, "Nor ours")
    assert [r["department"] for r in project._requests[0]["returns"]] == [FIRE, HOUSING]


def test_a_return_needs_a_reason(project: Project, today: date) -> None:
    request_id = referred_permit(project, today)
    for reason in (None, "  "):
        with pytest.raises(InvalidValue) as refused:
            project.return_request(request_id, FIRE, reason)
        assert refused.value.field == "reason"
    assert project.request(request_id).status is RequestStatus.REFERRED


def test_only_a_department_it_is_referred_to_returns_it(project: Project, today: date) -> None:
    request_id = referred_permit(project, today)
    with pytest.raises(NotReferredToDepartment):
        project.return_request(request_id, "Tax Bureau", "Not ours")
    unreferred = project.raise_request(RequestCategory.LAND, "Land survey", today=today)
    with pytest.raises(NotReferredToDepartment):
        project.return_request(unreferred, FIRE, "Not ours")


def test_a_resolved_request_cannot_be_returned(project: Project, today: date) -> None:
    request_id = referred_permit(project, today)
    project.resolve_request(request_id, "Permit issued", today)
    with pytest.raises(RequestAlreadyResolved):
        project.return_request(request_id, FIRE, "Not ours")


def test_a_return_replays_from_its_event(project: Project, today: date) -> None:
    request_id = referred_permit(project, today)
    project.return_request(request_id, FIRE, "Not ours")
    replayed: Project | None = None
    for event in project.collect_events():
        replayed = event.mutate(replayed)
    assert replayed is not None
    assert replayed.request(request_id).status is RequestStatus.OPEN
    assert replayed._requests[0]["returns"] == project._requests[0]["returns"]
