"""IndustryChain: a chain under the chain-leader system (链长制), with its two coverages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from cso.domain import chain as domain
from cso.domain.chain import Coverage
from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.keyset import Row
from cso.graphql.loaders import batch_by_id, load_by_id, loader
from cso.graphql.types.common import stamp_of, stamp_row, unprojected
from cso.graphql.types.enterprise import Enterprise, enterprises_by_id
from cso.graphql.types.event import Event, history
from cso.projections import chains as read_model
from cso.projections.dashboard import chain_coverage


@strawberry.type(description="The two coverages (两个覆盖) among a chain's enterprises.")
class ChainCoverage:
    enterprises: int
    organisation_covered: int
    work_covered: int
    organisation_rate: float | None = strawberry.field(
        description="0 to 1; null without enterprises."
    )
    work_rate: float | None = strawberry.field(description="0 to 1; null without enterprises.")


@strawberry.type
class IndustryChain:
    id: strawberry.ID
    version: int
    created_at: datetime
    updated_at: datetime
    name: str
    leader: str
    lead_department: str
    master_ids: strawberry.Private[list[UUID]]

    @fields.field("Chain-master enterprises (链主), in the order designated.")
    async def masters(self, info: Info[Context, None]) -> list[Enterprise]:
        found = await loader(info.context, enterprises_by_id).load_many(self.master_ids)
        return [enterprise for enterprise in found if enterprise is not None]

    @strawberry.field
    async def coverage(self, info: Info[Context, None]) -> ChainCoverage:
        return await loader(info.context, coverages).load(UUID(self.id))

    @strawberry.field
    async def history(self, info: Info[Context, None]) -> list[Event]:
        return await history(info, self.id, self.version)


def chain_from_row(row: Row) -> IndustryChain:
    """The type's one mapper: from a read-model row (CHAIN_COLUMNS) or `chain_row`."""
    return IndustryChain(
        **stamp_of(row),
        name=row["name"],
        leader=row["leader"],
        lead_department=row["lead_department"],
        master_ids=list(row["master_ids"]),
    )


def chain_row(chain: domain.IndustryChain) -> dict[str, Any]:
    """An aggregate in the read model's row shape, for the one mapper."""
    return {
        **stamp_row(chain),
        "name": chain.name,
        "leader": chain.leader,
        "lead_department": chain.lead_department,
        "master_ids": chain.master_ids,
    }


def chain_from_aggregate(chain: domain.IndustryChain) -> IndustryChain:
    return chain_from_row(chain_row(chain))


chains_by_id = batch_by_id(
    read_model.chains_by_ids,
    chain_from_row,
    unprojected(domain.IndustryChain, chain_from_aggregate),
)


async def load_chain(context: Context, chain_id: UUID | None) -> IndustryChain | None:
    return await load_by_id(context, chains_by_id, chain_id)


async def coverages(context: Context, ids: list[UUID]) -> Sequence[ChainCoverage]:
    found = await chain_coverage(context.db, ids)
    return [coverage_of(found[chain_id]) for chain_id in ids]


def coverage_of(figures: Coverage) -> ChainCoverage:
    return ChainCoverage(
        enterprises=figures.enterprises,
        organisation_covered=figures.organisation_covered,
        work_covered=figures.work_covered,
        organisation_rate=figures.organisation_rate,
        work_rate=figures.work_rate,
    )
