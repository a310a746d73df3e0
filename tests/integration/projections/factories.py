"""Aggregates for the projection tests, made with the domain's own classmethods."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from uuid import UUID

from cso.domain.chain import IndustryChain
from cso.domain.enterprise import Enterprise
from cso.domain.enums import OfficerRole, RequestCategory
from cso.domain.officer import Officer
from cso.domain.project import Project
from cso.domain.values import make_credit_code


def unique_credit_code() -> str:
    return make_credit_code(f"91440101{uuid.uuid4().int % 10**9:09d}")


def new_officer(
    name: str = "李明", roles: list[OfficerRole] | None = None, department: str = "区投资促进局"
) -> Officer:
    return Officer.register(
        name=name,
        department=department,
        roles=[OfficerRole.CSO] if roles is None else roles,
        party_member=True,
        phone="13800001234",
    )


def new_chain(name: str | None = None) -> IndustryChain:
    return IndustryChain.establish(
        name=name or f"人工智能 {uuid.uuid4().hex[:8]}",
        leader="王副区长",
        lead_department="区工信局",
    )


def new_enterprise(
    *,
    district: str = "黄埔区",
    park: str | None = "科学城",
    sme: bool = True,
    chain_id: UUID | None = None,
) -> Enterprise:
    return Enterprise.register(
        name=f"广州示例科技有限公司 {uuid.uuid4().hex[:6]}",
        credit_code=unique_credit_code(),
        district=district,
        park=park,
        sme=sme,
        chain_id=chain_id,
    )


def new_project(
    enterprise: Enterprise,
    *,
    signed_on: date = date(2024, 1, 1),
    investment: Decimal = Decimal("12500.00"),
    today: date = date(2024, 6, 1),
) -> Project:
    return Project.register(
        enterprise_id=enterprise.id,
        name=f"智能传感器基地 {uuid.uuid4().hex[:6]}",
        investment=investment,
        chain_id=enterprise.chain_id,
        signed_on=signed_on,
        today=today,
    )


def project_with_legacy_request() -> tuple[Enterprise, Project, UUID]:
    """A new enterprise's new project holding a request of an older database, raised on the
    project's stream (LAND, raised 2024-06-03, due 2024-06-17); returns the request's id last."""
    enterprise = new_enterprise()
    project = new_project(enterprise)
    request_id = uuid.uuid4()
    project._raise_request(
        request_id=request_id,
        category=RequestCategory.LAND,
        description="红线调整",
        raised_on=date(2024, 6, 3),
        due_on=date(2024, 6, 17),
    )
    return enterprise, project, request_id
