from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from cso.domain.enums import DOMAIN_ENUMS, OfficerRole, ServiceKind
from cso.domain.project import Project
from cso.domain.values import make_credit_code
from cso.eventstore import Codec, EventStore, Repository
from cso.services import enterprises, officers, projects
from cso.services.application import Application, Changed, Command
from cso.services.identity import Principal, Role

TODAY = date(2026, 11, 20)

SUPERVISOR = Principal(
    id=str(uuid.uuid4()), role=Role.SUPERVISOR, name="Supervisor", dept="区委组织部"
)


def command(principal: Principal = SUPERVISOR, **kwargs: Any) -> Command:
    return Command(principal=principal, correlation_id=str(uuid.uuid4()), **kwargs)


def officer_principal(officer_id: uuid.UUID) -> Principal:
    return Principal(id=str(officer_id), role=Role.OFFICER, name="Officer", dept="区投资促进局")


def unique_credit_code() -> str:
    digits = f"{uuid.uuid4().int % 10**9:09d}"
    return make_credit_code(f"91440101{digits}")


@pytest.fixture
def app(pool: asyncpg.Pool[Any]) -> Application:
    store = EventStore(pool)
    return Application(Repository(store, Codec(DOMAIN_ENUMS)), store, lambda: TODAY)


def another_process(app: Application) -> Application:
    """An application with its own locks and cache on the same store, as in another process:
    in one process, commands on a stream queue behind each other and never interleave."""
    store = app.store
    return Application(Repository(store, app.repository.codec), store, lambda: TODAY)


async def new_officer(app: Application, roles: list[OfficerRole] | None = None) -> uuid.UUID:
    changed = await officers.register_officer(
        app,
        command(),
        name="李明",
        department="区投资促进局",
        roles=roles if roles is not None else [OfficerRole.CSO],
        party_member=True,
        phone="13800001234",
    )
    return changed["officer"]


async def new_enterprise(app: Application, **overrides: Any) -> uuid.UUID:
    facts: dict[str, Any] = {
        "name": "广州示例科技有限公司",
        "credit_code": unique_credit_code(),
        "district": "黄埔区",
        "park": "中新广州知识城",
        "sme": True,
        "chain_id": None,
    }
    changed = await enterprises.register_enterprise(app, command(), **(facts | overrides))
    return changed["enterprise"]


async def new_project(app: Application) -> uuid.UUID:
    project = await projects.register_project(
        app,
        command(),
        enterprise_id=await new_enterprise(app),
        name="示例项目",
        investment=Decimal("12500.00"),
        chain_id=None,
        signed_on=TODAY - timedelta(days=30),
    )
    return project["project"]


async def project_with_cso(app: Application) -> tuple[uuid.UUID, uuid.UUID]:
    project_id = await new_project(app)
    officer_id = await new_officer(app)
    await projects.assign_cso(app, command(), project_id=project_id, officer_id=officer_id)
    return project_id, officer_id


async def record_service(
    app: Application, project_id: uuid.UUID, n: int = 0, **kwargs: Any
) -> Changed:
    """A consultation (the n-th) recorded for the project by `command(**kwargs)`."""
    return await projects.record_service(
        app,
        command(**kwargs),
        project_id=project_id,
        kind=ServiceKind.CONSULTATION,
        summary=f"第{n}次咨询",
        occurred_on=TODAY,
    )


async def recorded_services(app: Application, project_id: uuid.UUID) -> set[uuid.UUID]:
    """The services recorded in the project's stream, whose versions must run 1, 2, 3, …"""
    history = await app.store.read_stream(project_id)
    assert [e.version for e in history] == list(range(1, len(history) + 1))
    return {
        uuid.UUID(e.data["service_id"]["_data_"])
        for e in history
        if e.type.endswith("ServiceRecorded")
    }


async def project_version(app: Application, project_id: uuid.UUID) -> int:
    """The project's version as the repository loads it now."""
    return (await app.repository.get(project_id, Project)).version
