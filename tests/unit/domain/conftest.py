from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from cso.domain.enums import OfficerRole
from cso.domain.officer import Officer
from cso.domain.project import Project

TODAY = date(2024, 6, 1)
SIGNED_ON = date(2024, 3, 1)

MakeOfficer = Callable[..., Officer]


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture
def signed_on() -> date:
    return SIGNED_ON


@pytest.fixture
def make_officer() -> MakeOfficer:
    def make(
        name: str = "Li Wei",
        roles: list[OfficerRole] | None = None,
        party_member: bool = True,
    ) -> Officer:
        return Officer.register(
            name=name,
            department="Investment Promotion Bureau",
            roles=[OfficerRole.CSO] if roles is None else roles,
            party_member=party_member,
            phone="13800001234",
        )

    return make


@pytest.fixture
def cso(make_officer: MakeOfficer) -> Officer:
    return make_officer()


@pytest.fixture
def project() -> Project:
    return Project.register(
        enterprise_id=uuid4(),
        name="Smart sensor plant",
        investment=Decimal("12500"),
        chain_id=None,
        signed_on=SIGNED_ON,
        today=TODAY,
    )


@pytest.fixture
def served_project(project: Project, cso: Officer) -> Project:
    """A project with a CSO assigned."""
    project.assign_cso(cso, today=TODAY)
    return project
