"""Every aggregate's events rebuild it exactly, and survive the JSON codec."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate, Snapshot
from eventsourcing.persistence import Mapper

from cso.domain.chain import IndustryChain
from cso.domain.enterprise import Enterprise
from cso.domain.enterprise_request import EnterpriseRequest
from cso.domain.enums import (
    DOMAIN_ENUMS,
    Milestone,
    OfficerRole,
    PartyOrganizationKind,
    ProjectOutcome,
    RequestCategory,
    ServiceKind,
)
from cso.domain.officer import Officer
from cso.domain.project import Project
from cso.domain.values import make_credit_code
from cso.domain.working_days import weekends_only
from cso.eventstore.codec import make_transcoder

TODAY = date(2024, 6, 1)
DAY = timedelta(days=1)
SCALARS = (str, int, float, bool, type(None), UUID, Decimal, date, datetime)


def lived_officer() -> Officer:
    officer = Officer.register(
        "Li Wei", "Organisation Dept", [OfficerRole.CSO], party_member=True, phone="13800001234"
    )
    officer.change_roles([OfficerRole.CSO, OfficerRole.FIRST_SECRETARY])
    posting_id = uuid4()
    officer.begin_posting(posting_id)
    officer.end_posting(posting_id)
    officer.begin_posting(uuid4())
    return officer


def retired_officer() -> Officer:
    officer = Officer.register(
        "Chen Jie", "Talent Office", [], party_member=False, phone="020-1234"
    )
    officer.deactivate()
    return officer


def lived_chain() -> IndustryChain:
    chain = IndustryChain.establish("人工智能", "Zhang Min", "Industry Bureau")
    chain.designate_master(uuid4())
    chain.designate_master(uuid4())
    return chain


def lived_enterprise() -> Enterprise:
    enterprise = Enterprise.register(
        "Bright Sensors", make_credit_code("91440112MA59ABCDE"), "Huangpu", None, True, uuid4()
    )
    enterprise.record_party_organization(PartyOrganizationKind.BRANCH, 7)
    enterprise.begin_posting(uuid4())
    return enterprise


def lived_project() -> Project:
    project = Project.register(uuid4(), "Sensor plant", Decimal("12500.5"), uuid4(), TODAY, TODAY)
    first = Officer.register("A", "D", [OfficerRole.CSO], party_member=True, phone="13800001234")
    second = Officer.register("B", "D", [OfficerRole.CSO], party_member=True, phone="13800005678")
    project.assign_cso(first, today=TODAY)
    project.assign_cso(second, today=TODAY + DAY, reason="A was promoted", previous=first)
    project.set_service_plan(["Procedure agency", "Site coordination"])
    project.complete_service_item("Site coordination")
    project.set_service_plan(["Site coordination", "Policy tutoring"])
    project.record_service(ServiceKind.VISIT, "First visit", occurred_on=TODAY, today=TODAY)
    for milestone in list(Milestone)[1:]:
        project.reach_milestone(milestone, on=TODAY, today=TODAY)
    permit = project.raise_request(RequestCategory.PERMIT, "Fire permit", today=TODAY)
    permit.refer(["Fire Brigade", "Housing Bureau"])
    permit.resolve("Issued", TODAY + DAY, project)
    permit.rate(5, TODAY, project, weekends_only)
    legacy = uuid4()  # a request of an older database, carried over
    project._raise_request(
        request_id=legacy,
        category=RequestCategory.LAND,
        description="Land price",
        raised_on=TODAY,
        due_on=TODAY + 10 * DAY,
    )
    project._refer_request(request_id=legacy, departments=["Land Bureau"])
    project.carry_over_request(legacy).resolve("Explained", TODAY, project)
    project.close(ProjectOutcome.OPERATING, cso=second)
    return project


def lived_request() -> EnterpriseRequest:
    project = Project.register(uuid4(), "Sensor plant", Decimal("12500.5"), uuid4(), TODAY, TODAY)
    request = project.raise_request(RequestCategory.PERMIT, "Fire permit", today=TODAY)
    request.refer(["Fire Brigade", "Housing Bureau"])
    request.return_from("Fire Brigade", "Not ours")
    request.extend_deadline(3, "Survey", uuid4(), weekends_only)
    request.resolve("Issued", TODAY + DAY, project)
    request.rate(1, TODAY + DAY, project, weekends_only)
    return request


def carried_over_request() -> EnterpriseRequest:
    project = Project.register(uuid4(), "Sensor plant", Decimal("12500.5"), uuid4(), TODAY, TODAY)
    legacy = uuid4()
    project._raise_request(
        request_id=legacy,
        category=RequestCategory.TALENT,
        description="Flats",
        raised_on=TODAY,
        due_on=TODAY + 10 * DAY,
    )
    project._resolve_request(request_id=legacy, resolution="Allocated", resolved_on=TODAY)
    return project.carry_over_request(legacy)


LIFECYCLES: list[Callable[[], Aggregate]] = [
    lived_officer,
    retired_officer,
    lived_chain,
    lived_enterprise,
    lived_project,
    lived_request,
    carried_over_request,
]


def mapper() -> Mapper[UUID]:
    return Mapper(transcoder=make_transcoder(DOMAIN_ENUMS))


def leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every scalar inside ``value``; fails on any container but list and dict."""
    if isinstance(value, dict):
        assert type(value) is dict, f"{path} is a {type(value).__name__}"
        return [leaf for k, v in value.items() for leaf in leaves(v, f"{path}.{k}")]
    if isinstance(value, list | tuple | set | frozenset):
        assert type(value) is list, f"{path} is a {type(value).__name__}, not a list"
        return [leaf for i, v in enumerate(value) for leaf in leaves(v, f"{path}[{i}]")]
    return [(path, value)]


def assert_codec_friendly(state: dict[str, Any], what: str) -> None:
    for path, leaf in leaves(state, what):
        if isinstance(leaf, Enum):
            assert type(leaf) in DOMAIN_ENUMS, f"{path}: {type(leaf).__name__} not in DOMAIN_ENUMS"
        else:
            assert isinstance(leaf, SCALARS), f"{path} holds a {type(leaf).__name__}"


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda f: f.__name__)
def test_replaying_the_events_rebuilds_the_same_aggregate(
    lifecycle: Callable[[], Aggregate],
) -> None:
    aggregate = lifecycle()
    events = aggregate.collect_events()
    rebuilt: Aggregate | None = None
    for domain_event in events:
        rebuilt = domain_event.mutate(rebuilt)
    assert rebuilt == aggregate
    assert rebuilt is not None and rebuilt.version == len(events)


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda f: f.__name__)
def test_every_event_survives_the_json_codec_and_replays(
    lifecycle: Callable[[], Aggregate],
) -> None:
    aggregate = lifecycle()
    codec = mapper()
    rebuilt: Aggregate | None = None
    for domain_event in aggregate.collect_events():
        assert_codec_friendly(dict(vars(domain_event)), type(domain_event).__qualname__)
        decoded = codec.to_domain_event(codec.to_stored_event(domain_event))
        assert decoded == domain_event
        rebuilt = decoded.mutate(rebuilt)
    assert rebuilt == aggregate


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda f: f.__name__)
def test_a_snapshot_survives_the_json_codec(lifecycle: Callable[[], Aggregate]) -> None:
    aggregate = lifecycle()
    aggregate.collect_events()
    snapshot = Snapshot.take(aggregate)
    assert_codec_friendly(snapshot.state, type(aggregate).__name__)
    codec = mapper()
    decoded = codec.to_domain_event(codec.to_stored_event(snapshot))
    assert decoded.mutate(None) == aggregate  # type: ignore[attr-defined]


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda f: f.__name__)
def test_every_enum_in_an_aggregate_state_is_listed_in_domain_enums(
    lifecycle: Callable[[], Aggregate],
) -> None:
    used = {type(leaf) for _, leaf in leaves(dict(vars(lifecycle()))) if isinstance(leaf, Enum)}
    assert used <= set(DOMAIN_ENUMS)
