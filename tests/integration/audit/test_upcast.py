"""Schema evolution: IndustryChain.MasterDesignated v2 carries `designated_on`; an event
stored in the v1 shape (before that field) still loads, projects, verifies and exports."""

from __future__ import annotations

import io
from datetime import date
from uuid import UUID, uuid4

import orjson

from cso.audit.export import export_log
from cso.audit.offline import verify_export
from cso.audit.verify import verify_log
from cso.database import connect
from cso.domain.chain import IndustryChain
from cso.domain.enums import DOMAIN_ENUMS
from cso.eventstore import (
    Checkpoint,
    Codec,
    EventStore,
    Listener,
    Metadata,
    NewEvent,
    Repository,
    StreamAppend,
)
from cso.projections.chains import PROJECTION
from cso.projections.runner import ProjectionRunner

CODEC = Codec(DOMAIN_ENUMS)


def v1_shape(event: NewEvent) -> NewEvent:
    """The event as the code before v2 stored it: no `designated_on`, no class_version."""
    state = orjson.loads(event.data)
    assert state.pop("class_version") == 2
    state.pop("designated_on")
    return NewEvent(event.type, orjson.dumps(state).decode(), event.recorded_at)


async def chain_with_an_old_designation(
    store: EventStore,
) -> tuple[UUID, UUID, UUID, Checkpoint]:
    """A chain (v1) whose first master was designated in the v1 shape and its second in
    v2's: (chain id, old master, new master, the append's checkpoint)."""
    chain = IndustryChain.establish("新能源汽车", "王副区长", "区发展改革局")
    old_master, new_master = uuid4(), uuid4()
    chain.designate_master(old_master, date(2025, 3, 1))
    chain.designate_master(new_master, date(2026, 5, 10))
    established, old, new = (CODEC.encode(e) for e in chain.collect_events())
    events = [established, v1_shape(old), new]
    appended = await store.append([StreamAppend(chain.id, "IndustryChain", 0, events)], Metadata())
    return chain.id, old_master, new_master, appended.checkpoint


async def test_an_old_shape_event_is_upcast_when_it_loads(log_store: EventStore) -> None:
    chain_id, old_master, new_master, _ = await chain_with_an_old_designation(log_store)
    stored = await log_store.read_stream(chain_id)
    assert "designated_on" not in stored[1].data and "class_version" not in stored[1].data
    assert stored[2].data["class_version"] == 2
    old = CODEC.decode(chain_id, 2, stored[1].type, orjson.dumps(stored[1].data).decode())
    new = CODEC.decode(chain_id, 3, stored[2].type, orjson.dumps(stored[2].data).decode())
    assert (old.enterprise_id, old.designated_on) == (old_master, None)
    assert (new.enterprise_id, new.designated_on) == (new_master, date(2026, 5, 10))
    loaded = await Repository(log_store, CODEC).get(chain_id, IndustryChain)
    assert loaded.master_ids == [old_master, new_master]


async def test_an_old_shape_event_projects(log_store: EventStore, log_url: str) -> None:
    chain_id, old_master, new_master, appended = await chain_with_an_old_designation(log_store)
    listener = Listener(log_url)
    await listener.start()
    try:
        runner = ProjectionRunner(
            PROJECTION, database_url=log_url, store=log_store, codec=CODEC, listener=listener
        )
        # Up to the append itself: a transaction open anywhere on the server holds the
        # watermark back, and "what there is" below it may not include the append yet.
        await runner.catch_up_to(appended, timeout=30)
    finally:
        await listener.stop()
    masters = await log_store.pool.fetchval(
        "SELECT master_ids FROM rm_chains WHERE id = $1", chain_id
    )
    assert masters == [old_master, new_master]


async def test_an_old_shape_event_verifies_and_exports_as_stored(
    log_store: EventStore, log_url: str
) -> None:
    chain_id, _, _, _ = await chain_with_an_old_designation(log_store)
    conn = await connect(log_url)
    try:
        assert (await verify_log(conn, stream_id=chain_id)).ok
        sink = io.BytesIO()
        await export_log(conn, sink.write, stream_id=chain_id)
    finally:
        await conn.close()
    lines = sink.getvalue().splitlines()
    assert "designated_on" not in orjson.loads(lines[1])["data"]
    checked = verify_export(lines)
    assert checked.ok, checked.problems
    assert checked.events == 3
