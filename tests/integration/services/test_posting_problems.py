"""A first secretary's problems through the use cases, on a real database: who may log and
solve them, the request mutations on them, and ending a posting raced against logging one.

The posting keeps its open problems' ids, appended with each problem, so an end and a log
write the same stream: one is re-run on the other's result and refused, never both applied.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable
from datetime import timedelta

import pytest

from cso.domain.enterprise_request import EnterpriseRequest
from cso.domain.enums import OfficerRole, RequestCategory, RequestSource, RequestStatus
from cso.domain.errors import RuleViolation
from cso.domain.secretary_posting import SecretaryPosting
from cso.services import postings, requests
from cso.services.application import Application, Changed
from cso.services.errors import Forbidden, InvalidInput, RuleViolated
from cso.services.identity import Principal, Role
from tests.integration.services.conftest import (
    TODAY,
    another_process,
    command,
    new_enterprise,
    new_officer,
    officer_principal,
)

ROUNDS = 6


async def posting_with_secretary(app: Application) -> tuple[uuid.UUID, uuid.UUID]:
    officer_id = await new_officer(app, [OfficerRole.FIRST_SECRETARY])
    changed = await postings.post_first_secretary(
        app,
        command(),
        enterprise_id=await new_enterprise(app),
        officer_id=officer_id,
        sending_unit="区委组织部",
        term_start=TODAY - timedelta(days=60),
        term_end=TODAY + timedelta(days=600),
    )
    return changed["posting"], officer_id


async def log(app: Application, posting_id: uuid.UUID, **kwargs: object) -> Changed:
    return await postings.log_enterprise_problem(
        app, command(**kwargs), posting_id=posting_id, description="厂房消防验收排期"
    )


async def test_the_secretary_logs_a_problem_kept_by_the_posting(app: Application) -> None:
    posting_id, officer_id = await posting_with_secretary(app)
    changed = await log(app, posting_id, principal=officer_principal(officer_id))
    problem = await app.repository.get(changed["request"], EnterpriseRequest)
    posting = await app.repository.get(posting_id, SecretaryPosting)
    assert problem.source is RequestSource.POSTING and problem.category is RequestCategory.OTHER
    assert posting.open_request_ids == [problem.id]


async def test_another_officer_neither_logs_nor_solves_a_problem(app: Application) -> None:
    posting_id, _ = await posting_with_secretary(app)
    stranger = officer_principal(await new_officer(app, [OfficerRole.FIRST_SECRETARY]))
    with pytest.raises(Forbidden):
        await log(app, posting_id, principal=stranger)
    problem_id = (await log(app, posting_id))["request"]
    with pytest.raises(Forbidden):
        await postings.solve_enterprise_problem(
            app, command(stranger), posting_id=posting_id, problem_id=problem_id, solution="答复"
        )


async def test_a_problem_of_another_posting_is_a_bad_problem_id(app: Application) -> None:
    posting_id, _ = await posting_with_secretary(app)
    other_id, _ = await posting_with_secretary(app)
    problem_id = (await log(app, other_id))["request"]
    for wrong in (problem_id, uuid.uuid4()):
        with pytest.raises(InvalidInput) as refused:
            await postings.solve_enterprise_problem(
                app, command(), posting_id=posting_id, problem_id=wrong, solution="答复"
            )
        assert refused.value.field == "problemId"


async def test_the_secretary_is_the_case_officer_of_the_request_mutations(
    app: Application,
) -> None:
    posting_id, officer_id = await posting_with_secretary(app)
    secretary = officer_principal(officer_id)
    problem_id = (await log(app, posting_id, principal=secretary))["request"]
    referred = await requests.refer_request(
        app, command(secretary), request_id=problem_id, departments=["区科技局"]
    )
    assert referred.ids == {"posting": posting_id, "request": problem_id}
    department = Principal(id=str(officer_id), role=Role.OFFICER, name="科技局", dept="区科技局")
    await requests.resolve_request(
        app, command(department), request_id=problem_id, resolution="已办"
    )
    await requests.rate_request(app, command(secretary), request_id=problem_id, satisfaction=2)
    problem = await app.repository.get(problem_id, EnterpriseRequest)
    assert (problem.status, problem.redo_count) == (RequestStatus.OPEN, 1)
    assert (await app.repository.get(posting_id, SecretaryPosting)).open_request_ids == [problem_id]


async def _soon(action: Awaitable[Changed]) -> Changed:
    """Either command may start first."""
    await asyncio.sleep(random.uniform(0, 0.005))
    return await action


def _refused(outcome: object) -> bool:
    if isinstance(outcome, BaseException):
        assert isinstance(outcome, RuleViolation | RuleViolated), repr(outcome)
        return True
    return False


async def _end_or_log(app: Application, other: Application) -> None:
    posting_id, _ = await posting_with_secretary(app)
    ended, logged = await asyncio.gather(
        _soon(postings.end_secretary_posting(app, command(), posting_id=posting_id, on=TODAY)),
        _soon(log(other, posting_id)),
        return_exceptions=True,
    )
    assert _refused(ended) != _refused(logged)  # exactly one applied
    posting = await app.repository.get(posting_id, SecretaryPosting)
    if _refused(logged):
        assert not posting.active and posting.open_request_ids == []
    else:
        problem_id = logged["request"]  # type: ignore[index]
        assert posting.active and posting.open_request_ids == [problem_id]
        assert (await app.repository.get(problem_id, EnterpriseRequest)).open


@pytest.mark.parametrize("processes", ["one process", "two processes"])
async def test_a_posting_never_ends_over_a_problem_logged_at_the_same_time(
    app: Application, processes: str
) -> None:
    other = app if processes == "one process" else another_process(app)
    await asyncio.gather(*(_end_or_log(app, other) for _ in range(ROUNDS)))
