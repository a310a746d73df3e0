"""Read models take every value an event can hold: a column narrower than the domain allows
would refuse the event, and halt its projection for good.

The events here carry values past what today's domain rules let through (they are appended
as stored JSON, as an older rule, a migration or a seed could have written them): a read
model must not depend on a bound the domain may move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import orjson
from eventsourcing.domain import Aggregate

from cso.domain.enums import PartyOrganizationKind
from cso.eventstore import Metadata, StreamAppend
from tests.integration.projections.factories import new_enterprise, new_project
from tests.integration.projections.world import WAIT_SECONDS, World

Patch = Callable[[dict[str, Any]], None]


async def save_patched(world: World, aggregate: Aggregate, patch: Patch) -> None:
    """Append the aggregate's pending events with `patch` applied to the last one's stored
    data, then wait until every read model includes them."""
    pending = aggregate.collect_events()
    encoded = [world.repository.codec.encode(event) for event in pending]
    data = orjson.loads(encoded[-1].data)
    patch(data)
    encoded[-1] = replace(encoded[-1], data=orjson.dumps(data).decode())
    stream = StreamAppend(
        aggregate.id, type(aggregate).__name__, pending[0].originator_version - 1, encoded
    )
    result = await world.store.append([stream], Metadata())
    assert await world.supervisor.wait_for(result.checkpoint.token(), timeout=WAIT_SECONDS)


async def test_an_investment_of_more_than_18_digits_is_projected_as_the_event_holds_it(
    world: World,
) -> None:
    enterprise = new_enterprise()
    await world.save(enterprise)
    project = new_project(enterprise)
    huge = "12345678901234567890123.45"

    def invest(data: dict[str, Any]) -> None:
        data["investment"]["_data_"] = huge

    await save_patched(world, project, invest)

    row = await world.row("SELECT investment FROM rm_projects WHERE id = $1", project.id)
    assert row["investment"] == Decimal(huge)


async def test_a_party_member_count_beyond_32_bits_is_projected(world: World) -> None:
    enterprise = new_enterprise()
    enterprise.record_party_organization(PartyOrganizationKind.BRANCH, 5)
    await world.save(enterprise)
    # Covered already: the committee is the one event patched (no CoverageChanged follows).
    enterprise.record_party_organization(PartyOrganizationKind.COMMITTEE, 50)

    def grow(data: dict[str, Any]) -> None:
        data["member_count"] = 2**40

    await save_patched(world, enterprise, grow)

    row = await world.row(
        "SELECT party_member_count FROM rm_enterprises WHERE id = $1", enterprise.id
    )
    assert row["party_member_count"] == 2**40
