from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

import asyncpg

from cso.domain.enums import Milestone, RequestCategory
from cso.seed import database_is_empty, seed
from cso.seed.phrases import fits
from cso.seed.plan import make_plan
from cso.seed.request_texts import REQUESTS
from cso.services.personal_data import PREFIX, unseal
from tests.integration.seed.conftest import SEED, TODAY, Seeded, migrated_application

SUBJECT_KEYS = "SELECT subject_id, key FROM subject_keys"
UUID_TEXT = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")


class Renaming:
    """Replaces each id by its order of first appearance, and drops wall-clock timestamps:
    two seeded logs then compare equal exactly when they tell the same story."""

    def __init__(self) -> None:
        self.names: dict[uuid.UUID, str] = {}

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items() if k != "timestamp"}
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, uuid.UUID):
            return self.names.setdefault(value, f"#{len(self.names)}")
        if isinstance(value, str) and UUID_TEXT.fullmatch(value):
            return self(uuid.UUID(value))
        return value


def opened(row: dict[str, Any], keys: dict[uuid.UUID, bytes]) -> dict[str, Any]:
    """The row with its sealed personal data opened: sealing draws a random nonce, so two
    seeded logs differ in ciphertext even when they tell the same story. The subject is
    the stream (an officer) or an id in the event (an application's applicant)."""
    data = row["data"]
    subjects = [row["stream_id"]] + [
        uuid.UUID(v) for v in data.values() if isinstance(v, str) and UUID_TEXT.fullmatch(v)
    ]

    def open_one(value: Any) -> Any:
        if not (isinstance(value, str) and value.startswith(PREFIX)):
            return value
        held = [s for s in subjects if s in keys]
        for subject in held:
            try:
                return "opened:" + unseal(keys[subject], subject, value)
            except ValueError:  # sealed for another of the candidates
                continue
        if held:
            raise AssertionError(f"no key opens {value}")
        return "sealed for an erased subject"

    return {**row, "data": {k: open_one(v) for k, v in data.items()}}


async def story(pool: asyncpg.Pool[Any]) -> list[Any]:
    rows = await pool.fetch(
        "SELECT stream_id, stream_type, version, type, data, metadata FROM events ORDER BY position"
    )
    keys = {r["subject_id"]: bytes(r["key"]) for r in await pool.fetch(SUBJECT_KEYS)}
    rename = Renaming()
    return [rename(opened(dict(row), keys)) for row in rows]


async def test_seeding_is_deterministic_for_a_given_seed(
    seeded: Seeded, empty_database: str
) -> None:
    pool, app = await migrated_application(empty_database)
    try:
        assert await database_is_empty(pool)
        summary = await seed(app, today=TODAY, rng_seed=SEED)
        assert summary == seeded.summary
        assert await story(pool) == await story(seeded.pool)
    finally:
        await pool.close()


def test_another_seed_tells_another_story() -> None:
    assert make_plan(SEED, TODAY) != make_plan(SEED + 1, TODAY)


def test_no_planned_step_lies_after_today_whatever_the_seed_or_day() -> None:
    for rng_seed in range(20):
        for today in (date(2025, 1, 1), date(2026, 2, 28), TODAY + timedelta(days=400)):
            steps = make_plan(rng_seed, today)
            assert max(step.on for step in steps) <= today


def test_every_stage_has_something_to_ask_in_every_category() -> None:
    for stage in Milestone:
        for category in RequestCategory:
            assert any(fits(stage, t.since, t.until) for t in REQUESTS[category]), (
                stage,
                category,
            )
