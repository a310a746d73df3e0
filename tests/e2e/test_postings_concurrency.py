"""Over HTTP, with real races on two API processes: one active posting per enterprise and
per officer; a posted officer keeps what serving needs."""

from __future__ import annotations

import asyncio

import httpx

from cso.services.identity import Role
from tests.e2e import postings_support as ps
from tests.e2e.conftest import Api
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp, Reply

ROUNDS = 6


def _one_won(replies: tuple[Reply, Reply]) -> Reply:
    """Exactly one of two racing postings went through; the loser's code is RULE_VIOLATED."""
    failed = [reply for reply in replies if reply.body.get("errors")]
    assert len(failed) == 1, [reply.body for reply in replies]  # never both, never neither
    assert failed[0].code == "RULE_VIOLATED"
    return next(reply for reply in replies if not reply.body.get("errors"))


async def test_two_officers_posted_at_once_to_one_enterprise_exactly_one_wins(
    gql: OverHttp, second_api: Api
) -> None:
    async with httpx.AsyncClient(base_url=second_api.url, timeout=30) as other:
        elsewhere = OverHttp(other, second_api.secret)
        for _ in range(ROUNDS):
            enterprise_id = await ps.sme(gql)
            first, second = await ps.secretary(gql), await ps.secretary(gql)
            won = _one_won(
                await asyncio.gather(
                    gql(ps.POST, ps.posting_input(enterprise_id, first)),
                    elsewhere(ps.POST, ps.posting_input(enterprise_id, second)),
                )
            )
            listed = await gql(
                """query($id: ID!) { secretaryPostings(filter: { enterpriseId: $id }) {
                     totalCount } }""",
                {"id": enterprise_id},
                headers={"X-Consistency-Token": won.data["postFirstSecretary"]["consistencyToken"]},
            )
            assert listed.data["secretaryPostings"]["totalCount"] == 1


async def test_one_officer_posted_at_once_to_two_enterprises_exactly_one_wins(
    gql: OverHttp, second_api: Api
) -> None:
    async with httpx.AsyncClient(base_url=second_api.url, timeout=30) as other:
        elsewhere = OverHttp(other, second_api.secret)
        for _ in range(ROUNDS):
            officer_id = await ps.secretary(gql)
            first, second = await ps.sme(gql), await ps.sme(gql)
            _one_won(
                await asyncio.gather(
                    gql(ps.POST, ps.posting_input(first, officer_id)),
                    elsewhere(ps.POST, ps.posting_input(second, officer_id)),
                )
            )


async def test_after_a_posting_ends_both_the_officer_and_the_enterprise_are_free_again(
    gql: OverHttp,
) -> None:
    posting = await ps.posting(gql)
    officer_id, enterprise_id = posting["officer"]["id"], posting["enterprise"]["id"]
    await gql(ps.END, {"input": {"postingId": posting["id"], "on": support.days_ago(0)}})
    again = await gql(ps.POST, ps.posting_input(enterprise_id, officer_id))
    assert again.data["postFirstSecretary"]["posting"]["active"] is True
    other_enterprise = await ps.sme(gql)
    refused = await gql(ps.POST, ps.posting_input(other_enterprise, officer_id))
    assert refused.code == "RULE_VIOLATED"  # held again, so not free twice


async def test_a_posted_officer_is_neither_deactivated_nor_stripped_of_the_role(
    gql: OverHttp,
) -> None:
    posting = await ps.posting(gql)
    officer_id = posting["officer"]["id"]
    for query, fields in (
        (ps.DEACTIVATE, {"officerId": officer_id}),
        (ps.CHANGE_ROLES, {"officerId": officer_id, "roles": ["CSO"]}),
    ):
        reply = await gql(query, {"input": fields})
        assert reply.code == "RULE_VIOLATED"
        assert posting["id"] in reply.error["message"]
    await gql(ps.END, {"input": {"postingId": posting["id"], "on": support.days_ago(0)}})
    freed = await gql(ps.DEACTIVATE, {"input": {"officerId": officer_id}})
    assert freed.data["deactivateOfficer"]["officer"]["active"] is False


async def test_a_posting_racing_a_deactivation_lets_exactly_one_through(
    gql: OverHttp, second_api: Api
) -> None:
    async with httpx.AsyncClient(base_url=second_api.url, timeout=30) as other:
        elsewhere = OverHttp(other, second_api.secret)
        for _ in range(ROUNDS):
            enterprise_id, officer_id = await ps.sme(gql), await ps.secretary(gql)
            _one_won(
                await asyncio.gather(
                    gql(ps.POST, ps.posting_input(enterprise_id, officer_id)),
                    elsewhere(ps.DEACTIVATE, {"input": {"officerId": officer_id}}),
                )
            )


async def test_a_deactivated_secretary_records_nothing(gql: OverHttp) -> None:
    posting = await ps.posting(gql)
    officer_id = posting["officer"]["id"]
    await gql(ps.END, {"input": {"postingId": posting["id"], "on": support.days_ago(0)}})
    await gql(ps.DEACTIVATE, {"input": {"officerId": officer_id}})
    reply = await gql(
        ps.VISIT,
        {"input": {"postingId": posting["id"], "on": support.days_ago(1), "summary": "走访"}},
        role=Role.OFFICER,
        sub=officer_id,
    )
    assert reply.code == "FORBIDDEN"
