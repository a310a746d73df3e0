"""`cso carry-over-requests`: an older database's requests move into their own streams."""

from __future__ import annotations

import uuid
from datetime import timedelta

from cso.domain.enterprise_request import EnterpriseRequest
from cso.domain.enums import RequestCategory, RequestSource, RequestStatus
from cso.domain.project import Project
from cso.eventstore import Metadata
from cso.services import requests
from cso.services.application import Application
from cso.services.request_carry_over import carry_over_requests
from tests.integration.services.conftest import TODAY, command, project_with_cso

DAY = timedelta(days=1)


async def _older_project(app: Application) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """A project whose two requests were recorded the old way, on its own stream: one
    referred jointly and still open, one resolved and rated."""
    project_id, _ = await project_with_cso(app)
    project = await app.repository.get(project_id, Project)
    open_id, done_id = uuid.uuid4(), uuid.uuid4()
    for request_id, category in (
        (open_id, RequestCategory.LAND),
        (done_id, RequestCategory.TALENT),
    ):
        project._raise_request(
            request_id=request_id,
            category=category,
            description="旧诉求",
            raised_on=TODAY - 20 * DAY,
            due_on=TODAY - 6 * DAY,
        )
    project._refer_request(request_id=open_id, departments=["区规划和自然资源局", "区住建局"])
    project._resolve_request(request_id=done_id, resolution="已安排", resolved_on=TODAY - DAY)
    project._rate_request(request_id=done_id, satisfaction=4)
    await app.repository.save(project, metadata=Metadata())
    return project_id, open_id, done_id


async def test_each_old_request_gets_its_own_stream_with_the_same_id_and_state(
    app: Application,
) -> None:
    project_id, open_id, done_id = await _older_project(app)
    assert await carry_over_requests(app) >= 2
    project = await app.repository.get(project_id, Project)
    assert project.legacy_requests == []
    assert project.open_request_ids == [open_id]
    still_open = await app.repository.get(open_id, EnterpriseRequest)
    assert (still_open.source, still_open.project_id) == (RequestSource.PROJECT, project_id)
    assert (still_open.status, still_open.departments) == (
        RequestStatus.REFERRED,
        ["区规划和自然资源局", "区住建局"],
    )
    assert (still_open.received_on, still_open.due_on) == (TODAY - 20 * DAY, TODAY - 6 * DAY)
    done = await app.repository.get(done_id, EnterpriseRequest)
    assert (done.status, done.resolution, done.satisfaction) == (
        RequestStatus.RESOLVED,
        "已安排",
        4,
    )


async def test_carrying_over_again_moves_nothing(app: Application) -> None:
    project_id, _, _ = await _older_project(app)
    await carry_over_requests(app)
    version = (await app.repository.get(project_id, Project)).version
    assert await carry_over_requests(app) == 0
    assert (await app.repository.get(project_id, Project)).version == version


async def test_a_carried_over_request_is_handled_like_any_other(app: Application) -> None:
    project_id, open_id, _ = await _older_project(app)
    await carry_over_requests(app)
    await requests.resolve_request(app, command(), request_id=open_id, resolution="红线已调整")
    assert (await app.repository.get(project_id, Project)).open_request_ids == []
