"""Read models of talent housing: rm_housing_units and rm_housing_applications, their
handlers, and their queries (by ids, the lists with their filters, the waitlist position).

What a rule decides is stored as the domain decides it: a unit's capacity, an application's
waitlist order (set on approval, cleared on allocation), and whether the allocation passed
over earlier applications. A waitlist position is a count of the stored orders before it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from cso.domain.enums import ApplicationStatus, TalentTier, UnitStatus
from cso.domain.housing_application import HousingApplication
from cso.domain.housing_unit import HousingUnit, capacity
from cso.eventstore import RecordedEvent
from cso.graphql.keyset import Column, ListQuery, PreparedList, orderings
from cso.projections.base import Projection, row_keys

PROJECTION = Projection("housing", tables=("rm_housing_units", "rm_housing_applications"))

UNIT_COLUMNS = """u.id, u.building, u.unit_no, u.rooms, u.area_sqm, u.monthly_rent, u.capacity,
  u.status, u.application_id, u.version, u.created_at, u.updated_at"""

# An application's place on the waitlist: 1 + the waiting applications ordered before it.
# Orders are positive; stating the lower bound makes it a range, which the planner takes
# for narrow and counts on the waitlist index, where `< order` alone (a third of the table,
# it guesses) has it scan the whole table once per row until vacuum has run.
WAITLIST_POSITION = """CASE WHEN a.waitlist_order IS NULL THEN NULL ELSE 1 + (
  SELECT count(*) FROM rm_housing_applications w
  WHERE w.waitlist_order >= 0 AND w.waitlist_order < a.waitlist_order) END"""

APPLICATION_COLUMNS = f"""a.id, a.applicant_id, a.erased, a.applicant_name, a.id_number,
  a.phone, a.employer_id, a.tier, a.household_size, a.status, a.caso_id, a.unit_id,
  a.submitted_on, a.allocated_on,
  a.allocation_position, a.passed_over, a.allocation_reason, a.allocated_out_of_order,
  a.lease_end, a.moved_in_on, a.ended_on, a.version, a.created_at, a.updated_at,
  {WAITLIST_POSITION} AS waitlist_position"""

UNITS_BY_ID = f"SELECT {UNIT_COLUMNS} FROM rm_housing_units u WHERE u.id = ANY($1::uuid[])"
APPLICATIONS_BY_ID = (
    f"SELECT {APPLICATION_COLUMNS} FROM rm_housing_applications a WHERE a.id = ANY($1::uuid[])"
)

# $1..$3: status, building, the household the unit must fit.
UNIT_FILTER = """($1::text IS NULL OR u.status = $1::text)
  AND ($2::text IS NULL OR u.building = $2::text)
  AND ($3::integer IS NULL OR u.capacity >= $3::integer)"""

UNITS = PreparedList(
    ListQuery(columns=UNIT_COLUMNS, source="rm_housing_units u", where=UNIT_FILTER, params=3),
    orderings(
        "housingUnits",
        {
            "CREATED_AT": Column("u.created_at", "timestamptz"),
            "MONTHLY_RENT": Column("u.monthly_rent", "numeric"),
        },
        Column("u.id", "uuid"),
    ),
)

# $1..$5: status, tier, CASO, allocated out of order, lease ends before.
APPLICATION_FILTER = """($1::text IS NULL OR a.status = $1::text)
  AND ($2::text IS NULL OR a.tier = $2::text)
  AND ($3::uuid IS NULL OR a.caso_id = $3::uuid)
  AND ($4::boolean IS NULL OR a.allocated_out_of_order = $4::boolean)
  AND ($5::date IS NULL OR a.lease_end < $5::date)"""

APPLICATIONS = PreparedList(
    ListQuery(
        columns=APPLICATION_COLUMNS,
        source="rm_housing_applications a",
        where=APPLICATION_FILTER,
        params=5,
    ),
    orderings(
        "housingApplications",
        {
            "CREATED_AT": Column("a.created_at", "timestamptz"),
            # Waiting applications in the waitlist's order (the others have no place).
            "WAITLIST": Column("coalesce(a.waitlist_order, 9223372036854775807)", "bigint"),
        },
        Column("a.id", "uuid"),
    ),
)

# Available units that fit a household of $1, cheapest first; $2 the page size.
SUGGESTED_UNITS = f"""SELECT {UNIT_COLUMNS} FROM rm_housing_units u
WHERE u.status = 'AVAILABLE' AND u.capacity >= $1 ORDER BY u.monthly_rent, u.id LIMIT $2"""

# The dashboard's housing figures, one statement: units by status, waiting applications by tier.
HOUSING_FIGURES = """
SELECT
  (SELECT count(*) FROM rm_housing_units) AS units,
  (SELECT count(*) FROM rm_housing_units WHERE status = 'OCCUPIED') AS occupied,
  (SELECT coalesce(array_agg(tier ORDER BY tier), '{}') FROM (
     SELECT tier FROM rm_housing_applications WHERE waitlist_order IS NOT NULL) w) AS waiting
"""

INSERT_UNIT = """
INSERT INTO rm_housing_units (id, building, unit_no, rooms, area_sqm, monthly_rent, capacity,
  status, version, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, 'AVAILABLE', $8, $9, $9)
ON CONFLICT (id) DO NOTHING
"""

SET_UNIT_STATUS = """
UPDATE rm_housing_units SET status = $4, application_id = $5, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

INSERT_APPLICATION = """
INSERT INTO rm_housing_applications (id, applicant_name, id_number, phone, employer_id, tier,
  household_size, status, submitted_on, version, created_at, updated_at, applicant_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, 'SUBMITTED', $8, $9, $10, $10, $11)
ON CONFLICT (id) DO NOTHING
"""

SET_CASO = """
UPDATE rm_housing_applications SET caso_id = $4, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

APPROVE = """
UPDATE rm_housing_applications SET status = 'APPROVED', waitlist_order = $4, version = $2,
  updated_at = $3
WHERE id = $1 AND version < $2
"""

SET_STATUS = """
UPDATE rm_housing_applications SET status = $4, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

ALLOCATE = """
UPDATE rm_housing_applications SET status = 'ALLOCATED', waitlist_order = NULL, unit_id = $4,
  allocated_on = $5, lease_end = $6, allocation_position = $7, passed_over = $8::jsonb,
  allocation_reason = $9, allocated_out_of_order = $10, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

MOVE_IN = """
UPDATE rm_housing_applications SET status = 'MOVED_IN', moved_in_on = $4, version = $2,
  updated_at = $3
WHERE id = $1 AND version < $2
"""

MOVE_OUT = """
UPDATE rm_housing_applications SET status = 'ENDED', ended_on = $4, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

ERASE = """
UPDATE rm_housing_applications SET erased = true, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""

RENEW = """
UPDATE rm_housing_applications SET lease_end = $4, version = $2, updated_at = $3
WHERE id = $1 AND version < $2
"""


# Each touches only the unit's or the application's row ($1) (batch.py: groupable).
PROJECTION.keyed_by(
    INSERT_UNIT,
    SET_UNIT_STATUS,
    INSERT_APPLICATION,
    SET_CASO,
    APPROVE,
    SET_STATUS,
    ALLOCATE,
    MOVE_IN,
    MOVE_OUT,
    ERASE,
    RENEW,
)


@PROJECTION.on(HousingUnit, "Listed")
async def unit_listed(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """A new row of rm_housing_units: the unit AVAILABLE, its amounts and capacity."""
    await conn.execute(
        INSERT_UNIT,
        recorded.stream_id,
        event.building,
        event.unit_no,
        event.rooms,
        event.area_sqm,
        event.monthly_rent,
        capacity(event.rooms),
        recorded.version,
        recorded.recorded_at,
    )


_UNIT_STATUS = {
    "Allocated": UnitStatus.ALLOCATED,
    "Occupied": UnitStatus.OCCUPIED,
    "Vacated": UnitStatus.AVAILABLE,
    "MaintenanceStarted": UnitStatus.MAINTENANCE,
    "MaintenanceEnded": UnitStatus.AVAILABLE,
}


@PROJECTION.on(HousingUnit, *_UNIT_STATUS)
async def unit_status(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """Stores the unit's status and the application holding it (none when free)."""
    status = _UNIT_STATUS[type(event).__name__]
    holder = (
        None if status in (UnitStatus.AVAILABLE, UnitStatus.MAINTENANCE) else event.application_id
    )
    await conn.execute(SET_UNIT_STATUS, *row_keys(recorded), status.value, holder)


@PROJECTION.on(HousingApplication, "Submitted")
async def submitted(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """A new row of rm_housing_applications: SUBMITTED, its sealed fields as recorded."""
    await conn.execute(
        INSERT_APPLICATION,
        recorded.stream_id,
        event.applicant_name,
        event.id_number,
        event.phone,
        event.employer_id,
        event.tier.value,
        event.household_size,
        event.submitted_on,
        recorded.version,
        recorded.recorded_at,
        event.applicant_id,
    )


# Events that change an application's row by one statement, with the values it takes
# after the row keys.
_APPLICATION_UPDATES: dict[str, tuple[str, Callable[[Any], tuple[object, ...]]]] = {
    "CasoAssigned": (SET_CASO, lambda event: (event.officer_id,)),
    "Approved": (APPROVE, lambda event: (event.waitlist_order,)),
    "Rejected": (SET_STATUS, lambda event: (ApplicationStatus.REJECTED.value,)),
    "MovedIn": (MOVE_IN, lambda event: (event.on,)),
    "MovedOut": (MOVE_OUT, lambda event: (event.on,)),
    "LeaseRenewed": (RENEW, lambda event: (event.lease_end,)),
    # The sealed fields stay: without the key they are unreadable, and say so.
    "PersonalDataErased": (ERASE, lambda event: ()),
}


@PROJECTION.on(HousingApplication, *_APPLICATION_UPDATES)
async def application_updated(
    conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent
) -> None:
    """Stores the one change the event makes to the application's row."""
    statement, values = _APPLICATION_UPDATES[type(event).__name__]
    await conn.execute(statement, *row_keys(recorded), *values(event))


@PROJECTION.on(HousingApplication, "UnitAllocated")
async def allocated(conn: asyncpg.Connection[Any], event: Any, recorded: RecordedEvent) -> None:
    """Stores the allocation: unit, day, lease end, waitlist position, those passed over."""
    await conn.execute(
        ALLOCATE,
        *row_keys(recorded),
        event.unit_id,
        event.on,
        event.lease_end,
        event.waitlist_position,
        orjson.dumps([_passed(p) for p in event.passed_over]).decode(),
        event.reason,
        bool(event.passed_over),
    )


def _passed(entry: dict[str, Any]) -> dict[str, object]:
    return {
        "id": str(entry["id"]),
        "tier": entry["tier"].value,
        "waitlist_position": entry["waitlist_position"],
    }


@dataclass(frozen=True, slots=True)
class HousingFigures:
    occupancy_rate: float | None  # OCCUPIED units ÷ units listed; None before any unit
    waitlist_by_tier: list[tuple[TalentTier, int]]  # every tier, A first, zeros included


async def housing_figures(db: Any) -> HousingFigures:
    """The dashboard's housing figures."""
    row = await db.fetchrow(HOUSING_FIGURES)
    waiting = Counter(row["waiting"])
    units, occupied = row["units"], row["occupied"]
    return HousingFigures(
        occupancy_rate=occupied / units if units else None,
        waitlist_by_tier=[(tier, waiting.get(tier.value, 0)) for tier in TalentTier],
    )


async def units_by_ids(db: Any, ids: Sequence[UUID]) -> list[asyncpg.Record]:
    """The rows (UNIT_COLUMNS) of those of `ids` the read model holds, in no order."""
    rows: list[asyncpg.Record] = await db.fetch(UNITS_BY_ID, list(ids))
    return rows


async def applications_by_ids(db: Any, ids: Sequence[UUID]) -> list[asyncpg.Record]:
    """The rows (APPLICATION_COLUMNS, with `waitlist_position`) of those of `ids`."""
    rows: list[asyncpg.Record] = await db.fetch(APPLICATIONS_BY_ID, list(ids))
    return rows


async def suggested_units(db: Any, household_size: int, first: int) -> list[asyncpg.Record]:
    """Up to `first` available units that fit `household_size` people, cheapest first."""
    rows: list[asyncpg.Record] = await db.fetch(SUGGESTED_UNITS, household_size, first)
    return rows
