"""Personal-data keys commit with the events that need them: a refused submission stores
no key, and an erasure's event and the key's destruction commit together or not at all."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from cso.domain.enums import TalentTier
from cso.domain.errors import InvalidValue
from cso.domain.housing_application import HousingApplication
from cso.services import housing
from cso.services.application import Application
from cso.services.errors import NotFound
from cso.services.personal_data import keys_of, unseal
from tests.id_numbers import an_id_number
from tests.integration.services.conftest import command, new_enterprise

KEYS = "SELECT count(*) FROM subject_keys"
ERASURES = "SELECT count(*) FROM events WHERE stream_id = $1 AND type LIKE '%PersonalDataErased'"
# A failure after the erasure's reservation, in the same transaction: the idempotency key's
# row is the append's last insert.
FAIL_ON_KEY = """
CREATE FUNCTION fail_for_test_{n}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.key LIKE '%{key}' THEN RAISE EXCEPTION 'the disk is full (a test)'; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER fail_for_test_{n} BEFORE INSERT ON idempotency_keys
FOR EACH ROW EXECUTE FUNCTION fail_for_test_{n}();
"""
DROP_FAILURE = (
    "DROP TRIGGER fail_for_test_{n} ON idempotency_keys; DROP FUNCTION fail_for_test_{n}()"
)


async def apply(app: Application, employer_id: uuid.UUID, id_number: str) -> uuid.UUID:
    changed = await housing.apply_for_housing(
        app,
        command(),
        applicant_name="王五",
        id_number=id_number,
        phone="13700001111",
        employer_id=employer_id,
        tier=TalentTier.C,
        household_size=2,
    )
    return changed["application"]


@pytest.fixture
async def failing_key(app: Application) -> AsyncIterator[str]:
    """An idempotency key whose append fails at its very end."""
    n, key = uuid.uuid4().hex[:8], uuid.uuid4().hex
    await app.store.pool.execute(FAIL_ON_KEY.format(n=n, key=key))
    try:
        yield key
    finally:
        await app.store.pool.execute(DROP_FAILURE.format(n=n))


async def test_a_refused_submission_leaves_no_key_row_and_a_good_one_exactly_one(
    app: Application,
) -> None:
    pool: Any = app.store.pool
    employer_id = await new_enterprise(
        app, name="广州琶洲密钥有限公司", district="海珠区", park=None
    )
    good_id = an_id_number()
    before = await pool.fetchval(KEYS)
    with pytest.raises(InvalidValue):
        await apply(app, employer_id, "440105199003071230")
    with pytest.raises(NotFound):
        await apply(app, uuid.uuid4(), good_id)
    assert await pool.fetchval(KEYS) == before
    application_id = await apply(app, employer_id, good_id)
    assert await pool.fetchval(KEYS) == before + 1
    application = await app.repository.get(application_id, HousingApplication)
    keys = await keys_of(pool, [application.applicant_id])
    opened = unseal(
        keys.get(application.applicant_id), application.applicant_id, application.id_number
    )
    assert opened == good_id


async def test_an_erasure_that_fails_to_commit_keeps_the_key_and_records_no_erasure(
    app: Application, failing_key: str
) -> None:
    pool: Any = app.store.pool
    employer_id = await new_enterprise(
        app, name="广州琶洲擦除有限公司", district="海珠区", park=None
    )
    application_id = await apply(app, employer_id, an_id_number())
    applicant_id = (await app.repository.get(application_id, HousingApplication)).applicant_id
    with pytest.raises(asyncpg.RaiseError, match="disk is full"):
        await housing.erase_personal_data(
            app, command(idempotency_key=failing_key), application_id=application_id
        )
    assert applicant_id in await keys_of(pool, [applicant_id])
    assert await pool.fetchval(ERASURES, application_id) == 0
    await housing.erase_personal_data(app, command(), application_id=application_id)
    assert await keys_of(pool, [applicant_id]) == {}
    assert await pool.fetchval(ERASURES, application_id) == 1
    await housing.erase_personal_data(app, command(), application_id=application_id)
    assert await pool.fetchval(ERASURES, application_id) == 1
