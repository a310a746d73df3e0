"""A key per person on the real store: a person's applications share their subject and
key, one is open at a time (also when submissions race from two processes), and erasure
destroys every key of the person."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from cso.domain.enums import OfficerRole, TalentTier
from cso.domain.housing_application import HousingApplication
from cso.services import housing
from cso.services.application import Application
from cso.services.errors import RuleViolated
from cso.services.personal_data import ERASED, key_id_of, keys_by_id, person_subject, unseal
from tests.id_numbers import an_id_number
from tests.integration.services.conftest import (
    another_process,
    command,
    new_enterprise,
    new_officer,
)

KEYS = "SELECT count(*) FROM subject_keys WHERE subject_id = $1"


async def employer(app: Application) -> uuid.UUID:
    return await new_enterprise(app, name="广州琶洲申请人有限公司", district="海珠区", park=None)


async def apply(
    app: Application, id_number: str, employer_id: uuid.UUID | None = None
) -> uuid.UUID:
    employer_id = employer_id or await employer(app)
    changed = await housing.apply_for_housing(
        app,
        command(),
        applicant_name="赵六",
        id_number=id_number,
        phone="13600002222",
        employer_id=employer_id,
        tier=TalentTier.B,
        household_size=2,
    )
    return changed["application"]


async def reject(app: Application, application_id: uuid.UUID) -> None:
    caso = await new_officer(app, [OfficerRole.CASO])
    await housing.assign_caso(app, command(), application_id=application_id, officer_id=caso)
    await housing.reject_housing_application(
        app, command(reason="材料不全"), application_id=application_id
    )


async def opened(app: Application, application_id: uuid.UUID) -> str:
    application = await app.repository.get(application_id, HousingApplication)
    sealed = application.id_number
    keys = await keys_by_id(app.store.pool, [key_id_of(application.applicant_id, sealed)])
    key = keys.get(key_id_of(application.applicant_id, sealed))
    return unseal(key, application.applicant_id, sealed)


async def test_a_persons_second_application_has_their_subject_and_key(app: Application) -> None:
    id_number = an_id_number()
    first = await apply(app, id_number)
    with pytest.raises(RuleViolated, match="open housing application"):
        await apply(app, id_number)
    await reject(app, first)
    second = await apply(app, id_number)
    one = await app.repository.get(first, HousingApplication)
    two = await app.repository.get(second, HousingApplication)
    subject = await person_subject(app.store.pool, id_number)
    assert one.applicant_id == two.applicant_id == subject
    assert key_id_of(subject, one.id_number) == key_id_of(subject, two.id_number)
    assert await app.store.pool.fetchval(KEYS, subject) == 1
    assert await opened(app, first) == await opened(app, second) == id_number


async def test_erasure_destroys_every_key_of_the_person_and_a_new_key_follows(
    app: Application,
) -> None:
    pool: Any = app.store.pool
    id_number = an_id_number()
    first = await apply(app, id_number)
    await reject(app, first)
    second = await apply(app, id_number)
    await housing.erase_personal_data(app, command(), application_id=first)
    assert await opened(app, first) == await opened(app, second) == ERASED
    await reject(app, second)
    third = await apply(app, id_number)
    assert await opened(app, third) == id_number
    assert await opened(app, first) == ERASED  # names the destroyed key, not the new one
    subject = await person_subject(pool, id_number)
    assert await pool.fetchval(KEYS, subject) == 1
    await housing.erase_personal_data(app, command(), application_id=third)
    assert await pool.fetchval(KEYS, subject) == 0


async def test_two_processes_submitting_one_person_at_once_let_exactly_one_win(
    app: Application,
) -> None:
    other = another_process(app)
    for _ in range(6):
        id_number = an_id_number()
        # Other employers: no stream in common, only the person's reservation.
        first, second = await employer(app), await employer(app)
        outcomes = await asyncio.gather(
            apply(app, id_number, first), apply(other, id_number, second), return_exceptions=True
        )
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        assert len(failures) == 1 and isinstance(failures[0], RuleViolated)
        subject = await person_subject(app.store.pool, id_number)
        assert await app.store.pool.fetchval(KEYS, subject) == 1


async def test_an_erasure_between_reading_a_key_and_appending_makes_the_submission_rerun(
    app: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    id_number = an_id_number()
    first = await apply(app, id_number)
    await reject(app, first)
    read_person_key = housing.person_key
    erasures = []

    async def erased_meanwhile(db: Any, number: str) -> Any:
        found = await read_person_key(db, number)
        if not erasures:  # another process erases the person once the key was read
            erasures.append(
                await housing.erase_personal_data(
                    another_process(app), command(), application_id=first
                )
            )
        return found

    monkeypatch.setattr(housing, "person_key", erased_meanwhile)
    second = await apply(app, id_number)
    assert len(erasures) == 1 and await opened(app, first) == ERASED
    assert await opened(app, second) == id_number  # re-run under a new key
