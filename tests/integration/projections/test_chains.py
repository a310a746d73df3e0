from __future__ import annotations

from tests.integration.projections.factories import new_chain, new_enterprise
from tests.integration.projections.world import World

SELECT_CHAIN = "SELECT * FROM rm_chains WHERE id = $1"


async def test_a_chain_lists_its_masters_in_the_order_designated(world: World) -> None:
    chain = new_chain("生物医药及高端医疗器械 A")
    first, second = new_enterprise(chain_id=chain.id), new_enterprise(chain_id=chain.id)
    await world.save(chain, first, second)
    established = await world.row(SELECT_CHAIN, chain.id)
    assert established["master_ids"] == []

    chain.designate_master(second.id)
    await world.save(chain)
    chain.designate_master(first.id)
    await world.save(chain)

    row = await world.row(SELECT_CHAIN, chain.id)
    events = await world.events(chain.id)
    assert row["name"] == "生物医药及高端医疗器械 A"
    assert row["leader"] == "王副区长"
    assert row["lead_department"] == "区工信局"
    assert row["master_ids"] == [second.id, first.id]
    assert row["version"] == 3
    assert row["created_at"] == established["created_at"] == events[0].recorded_at
    assert row["updated_at"] == events[-1].recorded_at
