"""A mutation's fingerprint (mutations.common.operation) is what it always was."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import strawberry

from cso.graphql.enums import ServiceKind
from cso.graphql.mutations.common import MutationInput, _canonical, command, operation
from cso.graphql.mutations.projects import RecordServiceInput, SetServicePlanInput
from cso.services.identity import Principal, Role


@strawberry.input
class Nested(MutationInput):
    amount: Decimal
    inner: list[SetServicePlanInput]
    when: date | None = None


def fingerprint_by_asdict(mutation: str, input: MutationInput) -> str:
    """The fingerprint as it was first computed, through dataclasses.asdict."""
    fields = dataclasses.asdict(input)
    fields.pop("idempotency_key", None)
    canonical = json.dumps(fields, sort_keys=True, default=_canonical, separators=(",", ":"))
    return f"{mutation}:{hashlib.sha256(canonical.encode()).hexdigest()}"


def test_a_fingerprint_equals_the_one_dataclasses_asdict_gave() -> None:
    inputs: list[MutationInput] = [
        RecordServiceInput(
            project_id=strawberry.ID("p"),
            kind=ServiceKind.VISIT,
            summary="走访企业",
            occurred_on=date(2026, 11, 20),
            idempotency_key="k",
            reason="因为",
            expected_version=3,
        ),
        SetServicePlanInput(project_id=strawberry.ID("p"), items=["代办", "协调"]),
        Nested(
            amount=Decimal("12.50"),
            inner=[SetServicePlanInput(project_id=strawberry.ID("q"), items=[])],
            when=date(2026, 1, 2),
        ),
    ]
    for input in inputs:
        assert operation("m", input) == fingerprint_by_asdict("m", input)


def test_the_idempotency_key_is_not_part_of_a_fingerprint() -> None:
    one = SetServicePlanInput(project_id=strawberry.ID("p"), items=["a"], idempotency_key="1")
    two = SetServicePlanInput(project_id=strawberry.ID("p"), items=["a"], idempotency_key="2")
    other = SetServicePlanInput(project_id=strawberry.ID("p"), items=["b"], idempotency_key="1")
    assert operation("m", one) == operation("m", two) != operation("m", other)


def test_a_command_is_fingerprinted_only_when_it_carries_an_idempotency_key() -> None:
    viewer = Principal("00000000-0000-4000-8000-000000000001", Role.SUPERVISOR, "T", "QA")
    context = SimpleNamespace(viewer=viewer, correlation_id="c")
    info: Any = SimpleNamespace(field_name="recordService", context=context)
    fields: dict[str, Any] = {
        "project_id": strawberry.ID("p"),
        "kind": ServiceKind.VISIT,
        "summary": "走访企业",
        "occurred_on": date(2026, 11, 20),
    }
    keyed = RecordServiceInput(**fields, idempotency_key="k")
    assert command(info, keyed).operation == operation("recordService", keyed)
    # Without a key nothing is ever compared with it: the name is what a span shows.
    assert command(info, RecordServiceInput(**fields)).operation == "recordService"
