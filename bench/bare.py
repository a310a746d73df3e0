"""The bare peers of `make bench`: Starlette routes without GraphQL.

- `POST /page`: the 20-project page as one asyncpg statement that builds the same JSON as
  the GraphQL response, sent as it comes from PostgreSQL.
- `POST /record`: the same `recordService` use case the GraphQL mutation calls (same
  Application, repository, store and append), for a fixed supervisor, answering its
  consistency token.

Served by uvicorn (`uvicorn bare:create_app --factory --app-dir bench`) with the product's
settings from the environment (CSO_DATABASE_URL); it never runs projections.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cso.app import open_runtime
from cso.domain.enums import ServiceKind
from cso.domain.errors import DomainError
from cso.runtime import Runtime
from cso.services import projects
from cso.services.application import Command
from cso.services.identity import Principal, Role
from cso.settings import Settings

SUPERVISOR = Principal(
    id="be0c0000-0000-4000-8000-000000000001", role=Role.SUPERVISOR, name="Bench", dept="Bench"
)

# The GraphQL page's rows and nesting, in the projects list's default order.
PAGE_SQL = """
SELECT coalesce(json_agg(json_build_object('node', json_build_object(
         'id', p.id, 'name', p.name, 'stage', p.stage,
         'cso', CASE WHEN o.id IS NULL THEN NULL ELSE json_build_object('name', o.name) END,
         'enterprise', json_build_object('name', e.name),
         'requests', coalesce((SELECT json_agg(json_build_object('status', r.status)
                                               ORDER BY r.seq, r.id)
                               FROM rm_requests r WHERE r.project_id = p.id), '[]'::json)
       )) ORDER BY p.created_at, p.id), '[]'::json)::text
FROM (SELECT * FROM rm_projects ORDER BY created_at, id LIMIT 20) p
LEFT JOIN rm_officers o ON o.id = p.cso_id
LEFT JOIN rm_enterprises e ON e.id = p.enterprise_id
"""


async def page(request: Request) -> Response:
    """The page's JSON, `{"data": {"projects": {"edges": [...]}}}`."""
    runtime: Runtime = request.state.runtime
    edges = await runtime.read_pool.fetchval(PAGE_SQL)
    body = '{"data":{"projects":{"edges":' + edges + "}}}"
    return Response(body, media_type="application/json")


async def record(request: Request) -> Response:
    """Records a service from `{"projectId", "kind", "summary", "occurredOn"}`; 409 with the
    domain error's code when the use case refuses it."""
    runtime: Runtime = request.state.runtime
    fields: dict[str, Any] = orjson.loads(await request.body())
    command = Command(principal=SUPERVISOR, correlation_id=uuid.uuid4().hex)
    try:
        changed = await projects.record_service(
            runtime.application,
            command,
            project_id=uuid.UUID(fields["projectId"]),
            kind=ServiceKind(fields["kind"]),
            summary=fields["summary"],
            occurred_on=date.fromisoformat(fields["occurredOn"]),
        )
    except DomainError as exc:
        return JSONResponse({"errors": [{"message": str(exc)}]}, status_code=409)
    return JSONResponse({"data": {"consistencyToken": changed.token}})


def create_app() -> Starlette:
    """The bare app; its lifespan opens the product's runtime, projections off whatever
    CSO_RUN_PROJECTIONS says (a runner here would take the projections' locks)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        settings = Settings.from_env({**os.environ, "CSO_RUN_PROJECTIONS": "0"})
        async with open_runtime(settings) as runtime:
            yield {"runtime": runtime}

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/page", page, methods=["POST"]),
            Route("/record", record, methods=["POST"]),
            Route("/healthz", healthz),
        ],
        lifespan=lifespan,
    )
