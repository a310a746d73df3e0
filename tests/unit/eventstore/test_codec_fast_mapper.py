"""The codec's mapper gives the same domain events as eventsourcing's own Mapper."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import (
    JSONTranscoder,
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
)

from cso.domain.enums import DOMAIN_ENUMS, Milestone
from cso.eventstore import Codec


class Holder(Aggregate):
    """Carries any value through an event's payload."""

    @event("Held")
    def __init__(self, payload: Any) -> None:
        self.payload = payload


class Upcast(Aggregate):
    """An aggregate whose event grew a field in version 2."""

    class Made(Aggregate.Created):
        class_version = 2
        extra: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["extra"] = "added by the upcast"

    @event(Made)
    def __init__(self, extra: str) -> None:
        self.extra = extra


def _reference_mapper(codec: Codec) -> Mapper[UUID]:
    transcoder = JSONTranscoder()
    for transcoding in codec.transcoder.names.values():
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


def _stored(codec: Codec, domain_event: Any) -> StoredEvent:
    new = codec.encode(domain_event)
    return StoredEvent(
        domain_event.originator_id, domain_event.originator_version, new.type, new.data.encode()
    )


@pytest.mark.parametrize("id_of", [lambda u: u, str], ids=["UUID id", "str id"])
def test_a_decoded_event_is_the_one_eventsourcings_mapper_gives(id_of: Any) -> None:
    codec = Codec(DOMAIN_ENUMS)
    (created,) = Holder({"ids": [uuid4(), uuid4()], "milestone": Milestone.SIGNED}).collect_events()
    stored = _stored(codec, created)

    decoded = codec.decode(id_of(stored.originator_id), 1, stored.topic, stored.state.decode())
    reference = _reference_mapper(codec).to_domain_event(
        StoredEvent(id_of(stored.originator_id), 1, stored.topic, stored.state)
    )

    assert type(decoded) is type(reference) is Holder.Held
    assert list(vars(decoded)) == list(vars(reference))
    assert vars(decoded) == vars(reference)
    assert type(decoded.originator_id) is UUID
    assert decoded.payload["milestone"] is Milestone.SIGNED


def test_the_mapper_still_maps_a_stored_event() -> None:
    codec = Codec(DOMAIN_ENUMS)
    (created,) = Holder([1, "x"]).collect_events()
    stored = _stored(codec, created)
    assert vars(codec.mapper.to_domain_event(stored)) == vars(
        _reference_mapper(codec).to_domain_event(stored)
    )


def test_an_older_class_version_is_upcast_as_eventsourcing_does() -> None:
    codec = Codec()
    (made,) = Upcast("given").collect_events()
    stored = _stored(codec, made)
    state = stored.state.decode().replace('"class_version":2', '"class_version":1')
    assert '"class_version":1' in state

    decoded = codec.decode(made.originator_id, 1, stored.topic, state)

    assert decoded.extra == "added by the upcast"
    assert "class_version" not in vars(decoded)


def test_undecodable_state_is_refused_naming_the_event() -> None:
    codec = Codec()
    (created,) = Holder(1).collect_events()
    stored = _stored(codec, created)
    with pytest.raises(MapperDeserialisationError, match="originator_version 7") as caught:
        codec.decode(
            created.originator_id, 7, stored.topic, '{"payload": {"_type_": "x", "_data_": 1}}'
        )
    assert caught.value.__cause__ is not None
