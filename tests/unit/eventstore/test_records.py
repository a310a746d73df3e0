"""The values the store takes: metadata as stored with every event."""

from __future__ import annotations

from dataclasses import asdict

from cso.eventstore.records import Actor, Metadata


def test_metadata_is_stored_with_every_field_it_has() -> None:
    metadata = Metadata(
        actor=Actor(id="7", role="CSO", name="王芳"),
        correlation_id="c",
        causation_id="d",
        reason="季度走访",
        idempotency_key="k",
    )
    assert metadata.as_json() == asdict(metadata)
    assert Metadata.from_json(metadata.as_json()) == metadata
