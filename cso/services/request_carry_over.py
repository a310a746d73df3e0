"""`cso carry-over-requests`: an older database's requests into their own streams.

Before requests were EnterpriseRequest aggregates, each lived inside its project and its
events sit on the project's stream (`Project.RequestRaised`, …). Those events still replay
(the project keeps them as rows until moved, and the requests read model reads them), so
an older database works as it is; this one-off command moves each such request into an
EnterpriseRequest stream with the same id: a Raised and a CarriedOver event holding the
state the project had, appended with the project's RequestCarriedOver. Running it again
moves nothing (a carried-over request is gone from its project's rows).
"""

from __future__ import annotations

import uuid
from uuid import UUID

from eventsourcing.utils import get_topic

from cso.domain.project import Project
from cso.services.application import Application, Changed, Command, UnitOfWork
from cso.services.identity import Principal, Role
from cso.services.policy import require_supervisor

# The projects with a request raised the old way, on their own stream.
PROJECTS_WITH_LEGACY_REQUESTS = "SELECT DISTINCT stream_id FROM events WHERE type = $1"

CARRY_OVER = Principal(
    id="ca77e000-0000-4000-8000-000000000001",
    role=Role.SUPERVISOR,
    name="carry-over-requests",
    dept="",
)


async def carry_over_project_requests(
    app: Application, cmd: Command, *, project_id: UUID
) -> Changed:
    """Move every request the project still holds into its own stream (supervisors).
    Returns the project's id; the requests moved are named `request:<id>`."""
    require_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        project = await uow.get(project_id, Project, target=True)
        moved = [uow.add(project.carry_over_request(r.id)) for r in project.legacy_requests]
        return {"project": project.id, **{f"request:{r.id}": r.id for r in moved}}

    return await app.execute(cmd, attempt)


async def carry_over_requests(app: Application) -> int:
    """Carry over every project's old-style requests; returns how many were moved."""
    topic = get_topic(Project.RequestRaised)  # type: ignore[attr-defined]
    rows = await app.store.pool.fetch(PROJECTS_WITH_LEGACY_REQUESTS, topic)
    moved = 0
    for row in rows:
        cmd = Command(principal=CARRY_OVER, correlation_id=str(uuid.uuid4()))
        changed = await carry_over_project_requests(app, cmd, project_id=row["stream_id"])
        moved += len(changed.ids) - 1
    return moved
