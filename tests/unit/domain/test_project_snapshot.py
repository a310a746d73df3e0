from __future__ import annotations

from datetime import date, timedelta

from cso.domain.enums import DOMAIN_ENUMS, RequestCategory, ServiceKind
from cso.domain.officer import Officer
from cso.domain.project import Project
from cso.eventstore import Codec

SNAPSHOT_LIMIT = 16 * 1024


def test_a_project_with_10000_service_records_has_a_snapshot_under_16_kib(
    project: Project, cso: Officer, today: date
) -> None:
    project.assign_cso(cso, today=today)
    project.set_service_plan(["代办", "协调用地", "政策辅导"])
    for n in range(10_000):
        on = project.signed_on + timedelta(days=n % 90)
        project.record_service(ServiceKind.VISIT, f"走访 {n}", occurred_on=on, today=today)
    project.raise_request(RequestCategory.LAND, "用地指标", today=today)
    codec = Codec(DOMAIN_ENUMS)
    snapshot = codec.encode_snapshot(project)
    assert len(snapshot.data.encode()) < SNAPSHOT_LIMIT
    restored = codec.decode_snapshot(project.id, project.version, snapshot.type, snapshot.data)
    assert isinstance(restored, Project)
    assert (restored.service_count, restored.latest_service_on, restored.cso_id) == (
        10_000,
        project.signed_on + timedelta(days=89),
        cso.id,
    )


def test_a_replayed_project_counts_its_services_without_keeping_them(
    project: Project, cso: Officer, today: date
) -> None:
    project.assign_cso(cso, today=today)
    project.record_service(ServiceKind.VISIT, "a", occurred_on=today, today=today)
    project.record_service(
        ServiceKind.VISIT, "b", occurred_on=today - timedelta(days=3), today=today
    )
    replayed = None
    for event in project.collect_events():
        replayed = event.mutate(replayed)
    assert isinstance(replayed, Project)
    assert (replayed.service_count, replayed.latest_service_on, replayed.cso_terms) == (2, today, 1)
    assert not hasattr(replayed, "_services")
