"""A department returns (退回) a request referred to it, with a reason."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from cso.domain.enterprise_request import (
    EnterpriseRequest,
    NotReferredToDepartment,
    RequestAlreadyResolved,
)
from cso.domain.enums import RequestCategory, RequestStatus
from cso.domain.errors import InvalidValue
from cso.domain.project import Project
from tests.request_desk import RequestDesk

FIRE = "Fire Brigade"
HOUSING = "Housing Bureau"


@pytest.fixture
def project(project: Project) -> RequestDesk:
    """The conftest's project, with the requests it raises at hand."""
    return RequestDesk(project)


def referred_permit(project: RequestDesk, today: date) -> UUID:
    request_id = project.raise_request(RequestCategory.PERMIT, "Fire permit is stuck", today=today)
    project.refer_request(request_id, [FIRE, HOUSING])
    return request_id


def test_a_returned_request_is_open_again_and_referred_nowhere(
    project: RequestDesk, today: date
) -> None:
    request_id = referred_permit(project, today)
    project.return_request(request_id, FIRE, " Not ours ")
    request = project.request(request_id)
    assert (request.status, request.departments) == (RequestStatus.OPEN, [])
    returned = request.collect_events()[-1]
    assert (returned.department, returned.reason) == (FIRE, "Not ours")  # type: ignore[attr-defined]
    assert project.open_requests == [request]


def test_a_returned_request_may_be_referred_and_returned_again(
    project: RequestDesk, today: date
) -> None:
    request_id = referred_permit(project, today)
    project.return_request(request_id, FIRE, "Not ours")
    project.refer_request(request_id, [HOUSING])
    project.return_request(request_id, HOUSING, "Nor ours")
    events = project.request(request_id).collect_events()
    returns = [e.department for e in events if type(e).__name__ == "Returned"]  # type: ignore[attr-defined]
    assert returns == [FIRE, HOUSING]


def test_a_return_needs_a_reason(project: RequestDesk, today: date) -> None:
    request_id = referred_permit(project, today)
    for reason in (None, "  "):
        with pytest.raises(InvalidValue) as refused:
            project.return_request(request_id, FIRE, reason)
        assert refused.value.field == "reason"
    assert project.request(request_id).status is RequestStatus.REFERRED


def test_only_a_department_it_is_referred_to_returns_it(project: RequestDesk, today: date) -> None:
    request_id = referred_permit(project, today)
    with pytest.raises(NotReferredToDepartment):
        project.return_request(request_id, "Tax Bureau", "Not ours")
    unreferred = project.raise_request(RequestCategory.LAND, "Land survey", today=today)
    with pytest.raises(NotReferredToDepartment):
        project.return_request(unreferred, FIRE, "Not ours")


def test_a_resolved_request_cannot_be_returned(project: RequestDesk, today: date) -> None:
    request_id = referred_permit(project, today)
    project.resolve_request(request_id, "Permit issued", today)
    with pytest.raises(RequestAlreadyResolved):
        project.return_request(request_id, FIRE, "Not ours")


def test_a_return_replays_from_its_event(project: RequestDesk, today: date) -> None:
    request_id = referred_permit(project, today)
    project.return_request(request_id, FIRE, "Not ours")
    replayed: EnterpriseRequest | None = None
    for event in project.request(request_id).collect_events():
        replayed = event.mutate(replayed)
    assert replayed is not None
    assert (replayed.status, replayed.departments) == (RequestStatus.OPEN, [])
