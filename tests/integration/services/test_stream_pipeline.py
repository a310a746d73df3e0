"""Commands on one stream pipelined: each runs on its predecessors' uncommitted events, the
ones that queue up commit as one append, and nobody is answered before their state commits."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
import pytest

from cso.domain.enums import ServiceKind
from cso.domain.errors import RuleViolation
from cso.domain.officer import Officer
from cso.domain.project import Project
from cso.eventstore import AppendResult, Checkpoint, EventStore, Repository
from cso.eventstore.append import Turn
from cso.services.application import Application, Changed, UnitOfWork
from tests.integration.services.conftest import (
    TODAY,
    another_process,
    command,
    project_version,
    project_with_cso,
    record_service,
)

CALLERS = 24


class Refused(RuleViolation):
    """A rule that looks at the state the command runs on."""


def recording_unless_the_count_says_no(
    app: Application, project_id: uuid.UUID, n: int, **kwargs: Any
) -> Any:
    """Command n records service "n", unless the project's service count plus n is a
    multiple of 3 on the state it runs on: then a rule refuses it."""

    async def attempt(uow: UnitOfWork) -> dict[str, uuid.UUID]:
        project = await uow.get(project_id, Project, target=True)
        if (project.service_count + n) % 3 == 0:
            raise Refused(f"command {n} refused at {project.service_count} services")
        project.record_service(ServiceKind.VISIT, f"#{n}", TODAY, uow.today)
        return {"project": project_id}

    return app.execute(command(**kwargs), attempt)


def one_by_one(count: int, commands: Sequence[int]) -> tuple[list[int], set[int]]:
    """What running `commands` one after another from `count` services records and refuses."""
    recorded, refused = [], set()
    for n in commands:
        if (count + n) % 3 == 0:
            refused.add(n)
        else:
            recorded.append(n)
            count += 1
    return recorded, refused


async def recorded_summaries(app: Application, project_id: uuid.UUID) -> list[str]:
    history = await app.store.read_stream(project_id)
    assert [e.version for e in history] == list(range(1, len(history) + 1))
    assert (await app.store.verify_stream(project_id)).ok
    return [e.data["summary"] for e in history if e.type.endswith("ServiceRecorded")]


async def service_count(app: Application, project_id: uuid.UUID) -> int:
    return (await app.repository.get(project_id, Project)).service_count


async def test_concurrent_commands_refused_or_not_end_as_if_run_one_by_one_in_their_order(
    app: Application,
) -> None:
    project_id, _ = await project_with_cso(app)
    count = await service_count(app, project_id)
    batches = app.pipelines.batches

    outcomes = await asyncio.gather(
        *(recording_unless_the_count_says_no(app, project_id, n) for n in range(CALLERS)),
        return_exceptions=True,
    )

    recorded, refused = one_by_one(count, range(CALLERS))
    assert {n for n, o in enumerate(outcomes) if isinstance(o, Refused)} == refused
    assert all(isinstance(o, Changed | Refused) for o in outcomes)
    assert await recorded_summaries(app, project_id) == [f"#{n}" for n in recorded]
    assert app.pipelines.batches > batches  # some commands went together
    assert len(app.pipelines) == 0 and len(app.locks) == 0


async def test_each_command_of_a_batch_keeps_its_own_metadata_and_the_chain_holds(
    app: Application,
) -> None:
    project_id, _ = await project_with_cso(app)
    outcomes = await asyncio.gather(
        *(record_service(app, project_id, n, reason=f"reason {n}") for n in range(CALLERS))
    )
    history = await app.store.read_stream(project_id)
    services = {e.data["summary"]: e for e in history if e.type.endswith("ServiceRecorded")}
    for n in range(CALLERS):
        assert services[f"第{n}次咨询"].metadata["reason"] == f"reason {n}"
    assert len({e.metadata["correlation_id"] for e in services.values()}) == CALLERS
    assert len({e.transaction_id for e in services.values()}) < CALLERS  # batched
    assert (await app.store.verify_stream(project_id)).ok
    for outcome in outcomes:  # each answer's token is its own event's place in the log
        event = next(e for e in history if _service_id(e.data) == outcome["service"])
        assert Checkpoint.from_token(outcome.token) == event.checkpoint


def _service_id(data: dict[str, Any]) -> uuid.UUID | None:
    found = data.get("service_id")
    return None if found is None else uuid.UUID(found["_data_"])


class ScriptedStore(EventStore):
    """A store whose next batches of several commands meet a scripted fate first."""

    def __init__(self, pool: asyncpg.Pool[Any]) -> None:
        super().__init__(pool)
        self.fates: list[str] = []
        self.other: Application | None = None
        self.project_id: uuid.UUID | None = None
        self.batch_sizes: list[int] = []
        self.taken: Changed | None = None

    async def append_turns(self, turns: Sequence[Turn]) -> list[AppendResult]:
        self.batch_sizes.append(len(turns))
        fate = self.fates.pop(0) if self.fates else "commit"
        if fate == "another process wrote":
            assert self.other is not None and self.project_id is not None
            await record_service(self.other, self.project_id, 999)
        elif fate == "another process used a key":
            assert self.other is not None and self.project_id is not None
            scoped = turns[1].metadata.idempotency_key
            assert scoped is not None
            key = scoped.split(":", 1)[1]
            self.taken = await record_service(self.other, self.project_id, 999, idempotency_key=key)
        elif fate == "broken before commit":
            raise ConnectionResetError("connection reset while sending the batch")
        results = await super().append_turns(turns)
        if fate == "broken at commit":
            raise ConnectionResetError("connection reset before COMMIT's answer")
        return results


@pytest.fixture
def scripted(pool: asyncpg.Pool[Any], app: Application) -> tuple[Application, ScriptedStore]:
    store = ScriptedStore(pool)
    return Application(Repository(store, app.repository.codec), store, lambda: TODAY), store


async def started_batch(
    app: Application, project_id: uuid.UUID, count: int, **kwargs: Any
) -> list[Any]:
    """`count` commands at once: the first goes alone, the rest queue into one batch."""
    return await asyncio.gather(
        *(recording_unless_the_count_says_no(app, project_id, n, **kwargs) for n in range(count)),
        return_exceptions=True,
    )


async def test_a_batch_that_another_process_beat_runs_again_and_answers_on_fresh_state(
    scripted: tuple[Application, ScriptedStore], app: Application
) -> None:
    pipelined, store = scripted
    project_id, _ = await project_with_cso(app)
    store.other, store.project_id = another_process(app), project_id
    store.fates = ["another process wrote"]
    count = await service_count(app, project_id)
    reruns = pipelined.reruns

    outcomes = await started_batch(pipelined, project_id, CALLERS)

    assert pipelined.reruns > reruns
    summaries = await recorded_summaries(app, project_id)
    assert "第999次咨询" in summaries  # the other process's write came first
    # Every answer agrees with the stream: each was given on state that committed.
    assert all(isinstance(o, Changed | Refused) for o in outcomes)
    refused = {n for n, o in enumerate(outcomes) if isinstance(o, Refused)}
    ours = [int(s[1:]) for s in summaries if s.startswith("#")]
    assert sorted(ours) == [n for n in range(CALLERS) if n not in refused]
    for summary in summaries[count:]:  # in the stream's order, from where we started
        if summary.startswith("#"):
            assert (count + int(summary[1:])) % 3 != 0  # the rule allowed it where it stands
        count += 1


async def test_a_key_another_process_used_meanwhile_answers_its_result_and_the_rest_run_again(
    scripted: tuple[Application, ScriptedStore], app: Application
) -> None:
    pipelined, store = scripted
    project_id, _ = await project_with_cso(app)
    store.other, store.project_id = another_process(app), project_id
    store.fates = ["another process used a key"]
    fresh = uuid.uuid4().hex  # keys are the supervisor's, whom every test shares
    before = len(await recorded_summaries(app, project_id))

    outcomes = await asyncio.gather(
        *(record_service(pipelined, project_id, n, idempotency_key=f"{fresh}{n}") for n in range(8))
    )

    assert store.taken is not None
    replayed = [o for o in outcomes if o.replayed]
    assert [o["service"] for o in replayed] == [store.taken["service"]]
    summaries = await recorded_summaries(app, project_id)
    assert summaries.count("第999次咨询") == 1
    assert len(summaries) == before + 8  # seven of ours and the other process's, once each


async def test_a_connection_broken_before_the_batch_committed_answers_its_commands_with_the_error(
    scripted: tuple[Application, ScriptedStore], app: Application
) -> None:
    pipelined, store = scripted
    project_id, _ = await project_with_cso(app)
    store.fates = ["broken before commit"]
    before = await recorded_summaries(app, project_id)

    outcomes = await started_batch(pipelined, project_id, CALLERS)

    broken = [n for n, o in enumerate(outcomes) if isinstance(o, ConnectionResetError)]
    assert len(broken) == store.batch_sizes[0] > 1  # every command of the batch, none re-run
    after = await recorded_summaries(app, project_id)
    assert not {f"#{n}" for n in broken} & set(after)  # nothing of the batch was appended
    assert len(after) - len(before) == sum(isinstance(o, Changed) for o in outcomes)


async def test_a_connection_broken_at_commit_answers_every_command_of_the_batch_and_runs_none_again(
    scripted: tuple[Application, ScriptedStore], app: Application
) -> None:
    pipelined, store = scripted
    project_id, _ = await project_with_cso(app)
    store.fates = ["broken at commit"]
    before = await recorded_summaries(app, project_id)

    outcomes = await started_batch(pipelined, project_id, CALLERS)

    broken = {n for n, o in enumerate(outcomes) if isinstance(o, ConnectionResetError)}
    assert len(broken) == store.batch_sizes[0] > 1
    after = await recorded_summaries(app, project_id)
    # The COMMIT went through: each of the batch's events is there once, never twice.
    recorded = [int(s[1:]) for s in after[len(before) :]]
    assert len(recorded) == len(set(recorded))
    assert broken <= set(recorded) | {n for n, o in enumerate(outcomes) if isinstance(o, Refused)}
    assert all(isinstance(o, Changed | Refused | ConnectionResetError) for o in outcomes)


async def test_one_idempotency_key_sent_many_times_at_once_appends_once_and_answers_alike(
    app: Application,
) -> None:
    project_id, _ = await project_with_cso(app)
    version = await project_version(app, project_id)
    fresh = uuid.uuid4().hex  # keys are the supervisor's, whom every test shares
    keyed = [record_service(app, project_id, 7, idempotency_key=fresh) for _ in range(6)]
    others = [record_service(app, project_id, n, idempotency_key=f"{fresh}{n}") for n in range(10)]
    outcomes = await asyncio.gather(*keyed, *others)

    assert len({o["service"] for o in outcomes[:6]}) == 1
    assert sum(not o.replayed for o in outcomes[:6]) == 1
    assert await project_version(app, project_id) == version + 11
    again = await record_service(app, project_id, 3, idempotency_key=f"{fresh}3")
    assert again.replayed and again["service"] == outcomes[6 + 3]["service"]
    assert again.token == outcomes[6 + 3].token  # the first answer's, its own event's


async def test_a_key_reused_for_another_request_inside_a_batch_is_refused_as_before(
    app: Application,
) -> None:
    project_id, _ = await project_with_cso(app)
    version = await project_version(app, project_id)
    key = uuid.uuid4().hex
    first = record_service(app, project_id, 1, idempotency_key=key, operation="a")
    second = record_service(app, project_id, 2, idempotency_key=key, operation="b")
    outcomes = await asyncio.gather(first, second, return_exceptions=True)
    # Whichever came first is answered; the other is refused, and nothing else appended.
    assert sorted(type(o).__name__ for o in outcomes) == ["Changed", "InvalidInput"]
    assert await project_version(app, project_id) == version + 1


async def test_a_batch_crossing_the_snapshot_interval_stores_the_snapshot_of_that_command(
    pool: asyncpg.Pool[Any], app: Application
) -> None:
    store = EventStore(pool)
    repository = Repository(store, app.repository.codec, snapshot_interval=4)
    snapshotting = Application(repository, store, lambda: TODAY)
    project_id, _ = await project_with_cso(app)
    version = await project_version(app, project_id)

    await asyncio.gather(*(record_service(snapshotting, project_id, n) for n in range(CALLERS)))

    rows = await pool.fetch(
        "SELECT version, state::text AS state, hash FROM snapshots WHERE stream_id = $1",
        project_id,
    )
    crossed = {v for v in range(version + 1, version + CALLERS + 1) if v % 4 == 0}
    assert {r["version"] for r in rows} >= crossed
    history = {e.version: e for e in await store.read_stream(project_id)}
    for row in rows:
        assert bytes(row["hash"]) == history[row["version"]].hash
    cold = Repository(store, app.repository.codec, snapshot_interval=4)
    loaded = await cold.get(project_id, Project)
    assert loaded.service_count == (await app.repository.get(project_id, Project)).service_count


async def test_a_command_reading_a_second_stream_waits_for_the_appends_in_flight(
    app: Application,
) -> None:
    project_id, officer_id = await project_with_cso(app)

    async def reads_both(uow: UnitOfWork) -> dict[str, uuid.UUID]:
        project = await uow.get(project_id, Project)
        await uow.get(officer_id, Officer)
        assert not app.pipelines.busy(project_id)  # ran on committed state only
        project.record_service(ServiceKind.VISIT, "both", TODAY, uow.today)
        return {"project": project_id}

    outcomes = await asyncio.gather(
        *(record_service(app, project_id, n) for n in range(8)),
        app.execute(command(), reads_both),
        *(record_service(app, project_id, n) for n in range(8, 16)),
    )
    assert len(outcomes) == 17
    assert "both" in await recorded_summaries(app, project_id)
