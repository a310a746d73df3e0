"""Talent housing: units, applications, the CASO, the waitlist, allocation and tenancy."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

from cso.domain.enterprise import Enterprise
from cso.domain.enums import TalentTier
from cso.domain.housing_application import ApplicationNotInStatus, HousingApplication
from cso.domain.housing_unit import HousingUnit
from cso.domain.id_number import validate_id_number
from cso.domain.officer import Officer
from cso.domain.waitlist import WAITLIST_ID, Waitlist
from cso.services.application import Application, Changed, Command, UnitOfWork
from cso.services.errors import NotFound
from cso.services.personal_data import destroy_key, person_key
from cso.services.policy import (
    require_caso_of,
    require_officer_or_supervisor,
    require_supervisor,
    require_unit_keeper,
)

UNIT_NUMBER = "housing_unit_number"
# One open application per person (SUBMITTED to MOVED_IN), held by the application's stream;
# migration 0013's trigger releases it when the `_ENDED` reservation comes with a rejection
# or a move-out (and stores nothing for it).
OPEN_APPLICATION = "open_housing_application_of_applicant"
OPEN_APPLICATION_ENDED = "open_housing_application_ended"


async def list_housing_unit(
    app: Application,
    cmd: Command,
    *,
    building: str,
    unit_no: str,
    rooms: int,
    area_sqm: Decimal,
    monthly_rent: Decimal,
) -> Changed:
    """Supervisors list units; a unit number already listed in the building is
    RULE_VIOLATED (the store's reservation, in the same transaction)."""
    require_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        unit = uow.add(HousingUnit.list_unit(building, unit_no, rooms, area_sqm, monthly_rent))
        uow.reserve(UNIT_NUMBER, unit.number_key, unit)
        return {"unit": unit.id}

    return await app.execute(cmd, attempt)


async def start_unit_maintenance(app: Application, cmd: Command, *, unit_id: UUID) -> Changed:
    """Supervisors and officers who can serve as CASO take an AVAILABLE unit out of
    allocation for the command's reason (required)."""

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        await require_unit_keeper(uow)
        unit = await uow.get(unit_id, HousingUnit, target=True)
        unit.start_maintenance(uow.command.reason)
        return {"unit": unit.id}

    return await app.execute(cmd, attempt)


async def end_unit_maintenance(app: Application, cmd: Command, *, unit_id: UUID) -> Changed:
    """The same callers make a unit in maintenance AVAILABLE again."""

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        await require_unit_keeper(uow)
        unit = await uow.get(unit_id, HousingUnit, target=True)
        unit.end_maintenance()
        return {"unit": unit.id}

    return await app.execute(cmd, attempt)


async def apply_for_housing(
    app: Application,
    cmd: Command,
    *,
    applicant_name: str,
    id_number: str,
    phone: str,
    employer_id: UUID,
    tier: TalentTier,
    household_size: int,
) -> Changed:
    """Officers and supervisors submit applications for an employer enterprise. The
    person, found from their ID number, seals their name, ID number and phone under their
    own key (a new one on their first application, or after erasure). A person with an
    open application is RULE_VIOLATED (the store's reservation, with the events)."""
    require_officer_or_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        employer = await uow.get(employer_id, Enterprise)
        checked_id = validate_id_number(id_number, uow.today)
        person = await person_key(uow.repository.store.pool, checked_id)
        application = uow.add(
            HousingApplication.apply(
                person.subject_id,
                person.sealer(),
                applicant_name,
                checked_id,
                phone,
                employer.id,
                tier,
                household_size,
                uow.today,
            )
        )
        person.keep(uow, application)
        uow.reserve(OPEN_APPLICATION, str(person.subject_id), application)
        return {"application": application.id}

    return await app.execute(cmd, attempt)


def end_open_application(uow: UnitOfWork, application: HousingApplication) -> None:
    """A rejected or ended case frees its person to apply again, in the same append."""
    uow.reserve(OPEN_APPLICATION_ENDED, str(application.applicant_id), application)


async def erase_personal_data(app: Application, cmd: Command, *, application_id: UUID) -> Changed:
    """Supervisors: destroys the applicant's keys, so their name, ID number and phone read
    ERASED everywhere, for good, in this application and every other of the same person;
    the erasure is recorded on the application in the same transaction. Running it again
    destroys nothing more and appends nothing."""
    require_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        application = await uow.get(application_id, HousingApplication, target=True)
        application.erase_personal_data()
        if application.pending_events:
            destroy_key(uow, application.applicant_id, application)
        return {"application": application.id}

    return await app.execute(cmd, attempt)


async def assign_caso(
    app: Application, cmd: Command, *, application_id: UUID, officer_id: UUID
) -> Changed:
    """Supervisors assign (or replace) the CASO; the officer's stream takes the case."""
    require_supervisor(cmd.principal)

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        application = await uow.get(application_id, HousingApplication, target=True)
        officer = await uow.get(officer_id, Officer)
        application.assign_caso(officer, previous=await current_caso(uow, application))
        return {"application": application.id}

    return await app.execute(cmd, attempt)


async def approve_housing_application(
    app: Application, cmd: Command, *, application_id: UUID
) -> Changed:
    async def approve(uow: UnitOfWork, application: HousingApplication) -> None:
        application.approve(await waitlist(uow))

    return await _as_caso(app, cmd, application_id, approve)


async def reject_housing_application(
    app: Application, cmd: Command, *, application_id: UUID
) -> Changed:
    """The command's reason is the rejection's (RULE_VIOLATED without one)."""

    async def reject(uow: UnitOfWork, application: HousingApplication) -> None:
        application.reject(cmd.reason, await current_caso(uow, application))
        end_open_application(uow, application)

    return await _as_caso(app, cmd, application_id, reject)


async def allocate_housing_unit(
    app: Application, cmd: Command, *, application_id: UUID, unit_id: UUID, lease_end: date
) -> Changed:
    """Changes the application, the unit and the waitlist in one append; the command's
    reason explains an allocation past earlier fitting applications."""

    async def allocate(uow: UnitOfWork, application: HousingApplication) -> HousingUnit:
        unit = await uow.get(unit_id, HousingUnit)
        application.allocate(unit, await waitlist(uow), lease_end, uow.today, cmd.reason)
        return unit

    return await _as_caso(app, cmd, application_id, allocate)


async def record_move_in(
    app: Application, cmd: Command, *, application_id: UUID, on: date
) -> Changed:
    async def move_in(uow: UnitOfWork, application: HousingApplication) -> HousingUnit:
        unit = await allocated_unit(uow, application)
        application.move_in(unit, on, uow.today)
        return unit

    return await _as_caso(app, cmd, application_id, move_in)


async def record_move_out(
    app: Application, cmd: Command, *, application_id: UUID, on: date
) -> Changed:
    """Frees the unit and ends the case (the CASO lets go of it) in one append."""

    async def move_out(uow: UnitOfWork, application: HousingApplication) -> HousingUnit:
        unit = await allocated_unit(uow, application)
        application.move_out(unit, on, uow.today, await current_caso(uow, application))
        end_open_application(uow, application)
        return unit

    return await _as_caso(app, cmd, application_id, move_out)


async def renew_lease(
    app: Application, cmd: Command, *, application_id: UUID, lease_end: date
) -> Changed:
    async def renew(uow: UnitOfWork, application: HousingApplication) -> None:
        application.renew_lease(lease_end)

    return await _as_caso(app, cmd, application_id, renew)


async def _as_caso(
    app: Application,
    cmd: Command,
    application_id: UUID,
    act: Callable[[UnitOfWork, HousingApplication], Awaitable[HousingUnit | None]],
) -> Changed:
    """Runs `act` on the application once the caller may act on it as its CASO (or a
    supervisor), in one append; the changed ids are the application's, and the unit's
    when `act` answers the unit it changed."""

    async def attempt(uow: UnitOfWork) -> dict[str, UUID]:
        application = await application_of_caso(uow, application_id)
        unit = await act(uow, application)
        changed = {"application": application.id}
        return changed if unit is None else changed | {"unit": unit.id}

    return await app.execute(cmd, attempt)


async def application_of_caso(uow: UnitOfWork, application_id: UUID) -> HousingApplication:
    """The application `expectedVersion` refers to, once the caller may act on it."""
    application = await uow.get(application_id, HousingApplication, target=True)
    await require_caso_of(uow, application)
    return application


async def current_caso(uow: UnitOfWork, application: HousingApplication) -> Officer | None:
    """The application's CASO, loaded to release the case when it changes hands or ends."""
    caso_id = application.caso_id
    return None if caso_id is None else await uow.get(caso_id, Officer)


async def allocated_unit(uow: UnitOfWork, application: HousingApplication) -> HousingUnit:
    """The unit the application holds; RULE_VIOLATED when it holds none."""
    unit_id = application.unit_id
    if unit_id is None:
        raise ApplicationNotInStatus(
            f"The application is {application.status.value}; it holds no unit."
        )
    return await uow.get(unit_id, HousingUnit)


async def waitlist(uow: UnitOfWork) -> Waitlist:
    """The district's waitlist, opened in this append if nothing has opened it yet (two
    processes opening it at once conflict, and the loser re-runs on the opened one)."""
    try:
        return await uow.get(WAITLIST_ID, Waitlist)
    except NotFound:
        return uow.add(Waitlist())
