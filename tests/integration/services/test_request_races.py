"""No project closes over an open request, however close and raise (or a redo) interleave.

The project keeps its open requests' ids, appended with each request, so a close and a
raise (or a rating that reopens a request) write the same stream: one of them is re-run
on the other's result and refused by the rule, never both applied.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable

import pytest

from cso.domain.enterprise_request import EnterpriseRequest
from cso.domain.enums import ProjectOutcome, RequestCategory, RequestStatus
from cso.domain.errors import RuleViolation
from cso.domain.project import Project
from cso.services import projects, requests
from cso.services.application import Application, Changed
from cso.services.errors import RuleViolated
from tests.integration.services.conftest import another_process, command, project_with_cso

ROUNDS = 6


async def _soon(action: Awaitable[Changed]) -> Changed:
    """Either command may start first."""
    await asyncio.sleep(random.uniform(0, 0.005))
    return await action


def _refused(outcome: object) -> bool:
    """A command the rules refused; anything else unexpected fails the test."""
    if isinstance(outcome, BaseException):
        assert isinstance(outcome, RuleViolation | RuleViolated), repr(outcome)
        return True
    return False


async def _close_or_raise(app: Application, other: Application) -> None:
    project_id, _ = await project_with_cso(app)
    closed, raised = await asyncio.gather(
        _soon(
            projects.close_project(
                app, command(reason="搬迁"), project_id=project_id, outcome=ProjectOutcome.RELOCATED
            )
        ),
        _soon(
            requests.raise_request(
                other,
                command(),
                project_id=project_id,
                category=RequestCategory.LAND,
                description="用地",
            )
        ),
        return_exceptions=True,
    )
    assert _refused(closed) != _refused(raised)  # exactly one applied
    project = await app.repository.get(project_id, Project)
    if _refused(raised):
        assert project.closed and project.open_request_ids == []
    else:
        request_id = raised["request"]  # type: ignore[index]
        assert not project.closed and project.open_request_ids == [request_id]
        assert (await app.repository.get(request_id, EnterpriseRequest)).open


async def _close_or_redo(app: Application, other: Application) -> None:
    project_id, _ = await project_with_cso(app)
    raised = await requests.raise_request(
        app, command(), project_id=project_id, category=RequestCategory.LAND, description="用地"
    )
    request_id = raised["request"]
    await requests.resolve_request(app, command(), request_id=request_id, resolution="已答复")
    closed, rated = await asyncio.gather(
        _soon(
            projects.close_project(
                app, command(reason="搬迁"), project_id=project_id, outcome=ProjectOutcome.RELOCATED
            )
        ),
        _soon(requests.rate_request(other, command(), request_id=request_id, satisfaction=1)),
        return_exceptions=True,
    )
    assert _refused(closed) != _refused(rated)
    project = await app.repository.get(project_id, Project)
    request = await app.repository.get(request_id, EnterpriseRequest)
    if _refused(rated):
        assert project.closed and project.open_request_ids == []
        assert (request.status, request.satisfaction) == (RequestStatus.RESOLVED, None)
    else:
        assert not project.closed and project.open_request_ids == [request_id]
        assert (request.status, request.redo_count) == (RequestStatus.OPEN, 1)


@pytest.mark.parametrize("processes", ["one process", "two processes"])
async def test_a_project_never_closes_over_a_request_raised_at_the_same_time(
    app: Application, processes: str
) -> None:
    other = app if processes == "one process" else another_process(app)
    await asyncio.gather(*(_close_or_raise(app, other) for _ in range(ROUNDS)))


@pytest.mark.parametrize("processes", ["one process", "two processes"])
async def test_a_project_never_closes_over_a_request_a_low_rating_reopens(
    app: Application, processes: str
) -> None:
    other = app if processes == "one process" else another_process(app)
    await asyncio.gather(*(_close_or_redo(app, other) for _ in range(ROUNDS)))
