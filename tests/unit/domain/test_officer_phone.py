from __future__ import annotations

from uuid import uuid4

from cso.domain.enums import DOMAIN_ENUMS, OfficerRole
from cso.domain.officer import Officer
from cso.domain.personal_data import ERASED
from cso.eventstore import Codec


def sealed(phone: str) -> str:
    return f"pd1:{phone[::-1]}"  # stands in for the cipher: the domain only calls it


def test_a_registered_phone_is_checked_then_sealed_under_the_id_it_names() -> None:
    officer_id = uuid4()
    officer = Officer.register(
        "李明", "区投资促进局", [OfficerRole.CASO], True, "138-0000 1234",
        officer_id=officer_id, seal=sealed,
    )  # fmt: skip
    assert officer.id == officer_id
    assert officer.phone == sealed("138-0000 1234")
    registered = officer.collect_events()[0]
    assert registered.phone == sealed("138-0000 1234")  # type: ignore[attr-defined]


def test_erasure_clears_the_phone_once_and_survives_a_replay() -> None:
    officer = Officer.register("李明", "区投资促进局", [], True, "13800001234")  # legacy: plain
    officer.erase_personal_data()
    officer.erase_personal_data()
    assert officer.phone == ERASED
    events = officer.collect_events()
    assert len(events) == 2
    codec = Codec(DOMAIN_ENUMS)
    rebuilt = None
    for event in events:
        stored = codec.encode(event)
        decoded = codec.decode(officer.id, event.originator_version, stored.type, stored.data)
        rebuilt = decoded.mutate(rebuilt)
    assert isinstance(rebuilt, Officer) and rebuilt.phone == ERASED
