"""A type's one mapper reads each field from its row when the field is first read."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest
import strawberry

from cso.domain.enums import RequestCategory, RequestSource, RequestStatus
from cso.graphql.types.common import row_mapper
from cso.graphql.types.enterprise_request import request_of
from cso.graphql.types.project import project_from_row


@strawberry.type
class Thing:
    name: str
    size: int

    @strawberry.field
    def label(self) -> str:
        return f"{self.name} ({self.size})"


def test_a_field_is_read_from_the_row_when_first_read_and_then_kept() -> None:
    reads: list[str] = []

    def read(name: str) -> Any:
        def reader(row: Any) -> Any:
            reads.append(name)
            return row[name]

        return reader

    mapper = row_mapper(Thing, {"name": read("name"), "size": read("size")})
    thing = mapper({"name": "a", "size": 2})
    assert isinstance(thing, Thing) and reads == []
    assert thing.name == "a" and thing.name == "a"
    assert reads == ["name"]
    assert thing.label() == "a (2)" and reads == ["name", "size"]


def test_a_mapper_must_read_every_field_and_no_other() -> None:
    with pytest.raises(TypeError, match="size"):
        row_mapper(Thing, {"name": lambda row: row["name"]})
    with pytest.raises(TypeError):
        row_mapper(Thing, {"name": str, "size": int, "colour": str})


def test_a_field_with_a_default_cannot_be_read_from_the_row() -> None:
    @strawberry.type
    class Defaulted:
        name: str = "unnamed"  # a class attribute: __getattr__ would never be asked for it

    with pytest.raises(TypeError):
        row_mapper(Defaulted, {"name": lambda row: row["name"]})


def test_a_bad_value_fails_the_field_that_reads_it_not_the_others() -> None:
    request = request_of({"id": uuid4(), "status": "NO_SUCH_STATUS", "description": "x"})
    assert request.description == "x"
    with pytest.raises(KeyError):
        _ = request.status


def test_a_request_reads_every_field_of_its_row() -> None:
    at = datetime(2026, 5, 1, tzinfo=UTC)
    row = {
        "id": uuid4(),
        "version": 3,
        "created_at": at,
        "updated_at": at,
        "project_id": uuid4(),
        "posting_id": None,
        "enterprise_id": uuid4(),
        "source": "PROJECT",
        "category": "PERMIT",
        "description": "许可",
        "status": "RESOLVED",
        "departments": ("区住建局",),
        "joint": False,
        "raised_on": date(2026, 4, 1),
        "due_on": date(2026, 4, 10),
        "overdue_from": None,
        "due_soon_from": date(2026, 4, 8),
        "resolution": "done",
        "resolved_on": date(2026, 4, 9),
        "satisfaction": 5,
        "calendar_source": None,
        "returns": json.dumps([{"department": "区住建局", "reason": "材料不全", "at": str(at)}]),
        "extensions": "[]",
        "redo_count": 1,
    }
    request = request_of(row)
    assert (request.id, request.version) == (str(row["id"]), 3)
    assert (request.category, request.status, request.source) == (
        RequestCategory.PERMIT,
        RequestStatus.RESOLVED,
        RequestSource.PROJECT,
    )
    assert request.departments == ["区住建局"] and request.lead_department() == "区住建局"
    assert [r.reason for r in request.returns] == ["材料不全"] and request.extensions == []
    assert (request.redo_count, request.satisfaction, request.calendar_source) == (1, 5, None)


def test_a_projects_in_hand_companions_are_its_own() -> None:
    row = {"id": uuid4(), "stage": "SIGNED"}
    one, other = project_from_row(row), project_from_row(row)
    one.in_hand["cso"] = None
    assert other.in_hand == {}
    assert one.stage.value == "SIGNED" and one.replayed_at is None and one.held_requests == []
