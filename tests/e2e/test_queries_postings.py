"""Over HTTP: postings read back, filtered and replayed; officers' and enterprises' active
posting; the two coverages per chain and district-wide, against a hand-computed example."""

from __future__ import annotations

from datetime import date, timedelta

from tests.e2e import postings_support as ps
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

POSTING = """query($id: ID!, $version: Int) { secretaryPosting(id: $id, version: $version) {
  id version active termEnd chain { id } officer { id activePosting { id } }
  enterprise { id firstSecretary { id } }
  visits(first: 1) { totalCount edges { node { on summary } } pageInfo { hasNextPage endCursor } }
  guidance { totalCount nodes { summary } }
  extensions { termEnd } } }"""

POSTINGS = """query($filter: SecretaryPostingFilter) {
  secretaryPostings(first: 50, filter: $filter) { totalCount nodes { id } } }"""

CHAINS = """{ industryChains { id coverage {
  enterprises organisationCovered workCovered organisationRate workRate } } }"""


def token(reply: support.Reply, field: str) -> dict[str, str]:
    return {"X-Consistency-Token": reply.data[field]["consistencyToken"]}


async def test_a_posting_reads_back_with_its_records_and_is_shown_on_officer_and_enterprise(
    gql: OverHttp,
) -> None:
    chain_id = (await support.chain(gql))["chain"]["id"]
    enterprise_id = await ps.sme(gql, chainId=chain_id)
    posting = await ps.posting(gql, enterprise_id=enterprise_id)
    for days, summary in ((5, "首次走访"), (2, "再次走访")):
        await gql(
            ps.VISIT,
            {
                "input": {
                    "postingId": posting["id"],
                    "on": support.days_ago(days),
                    "summary": summary,
                }
            },
        )
    last = await gql(
        ps.GUIDANCE,
        {"input": {"postingId": posting["id"], "on": support.days_ago(1), "summary": "党课"}},
    )
    reply = await gql(
        POSTING, {"id": posting["id"]}, headers=token(last, "recordPartyBuildingGuidance")
    )
    shown = reply.data["secretaryPosting"]
    assert shown["chain"] == {"id": chain_id}
    assert shown["officer"]["activePosting"] == {"id": posting["id"]}
    assert shown["enterprise"]["firstSecretary"] == {"id": posting["id"]}
    assert shown["visits"]["totalCount"] == 2
    assert shown["visits"]["edges"][0]["node"]["summary"] == "再次走访"  # newest first
    assert shown["visits"]["pageInfo"]["hasNextPage"] is True
    assert shown["guidance"]["nodes"] == [{"summary": "党课"}]


async def test_a_posting_replayed_to_a_version_shows_its_lists_as_they_were(
    gql: OverHttp,
) -> None:
    posting = await ps.posting(gql)
    await gql(
        ps.VISIT,
        {"input": {"postingId": posting["id"], "on": support.days_ago(3), "summary": "走访"}},
    )
    later = (date.today() + timedelta(days=900)).isoformat()
    extended = await gql(ps.EXTEND, {"input": {"postingId": posting["id"], "termEnd": later}})
    headers = token(extended, "extendSecretaryTerm")
    first = await gql(POSTING, {"id": posting["id"], "version": 1}, headers=headers)
    replayed = first.data["secretaryPosting"]
    assert replayed["version"] == 1 and replayed["termEnd"] == ps.TERM_END
    assert replayed["visits"]["totalCount"] == 0 and replayed["extensions"] == []
    now = (await gql(POSTING, {"id": posting["id"]}, headers=headers)).data["secretaryPosting"]
    assert now["version"] == 3 and now["termEnd"] == later
    assert now["visits"]["totalCount"] == 1 and now["extensions"] == [{"termEnd": later}]


async def test_a_version_beyond_the_latest_is_not_found_and_below_one_is_invalid(
    gql: OverHttp,
) -> None:
    posting = await ps.posting(gql)
    beyond = await gql(POSTING, {"id": posting["id"], "version": 99})
    assert beyond.code == "NOT_FOUND"
    below = await gql(POSTING, {"id": posting["id"], "version": 0})
    assert below.code == "INVALID_INPUT"


async def test_postings_filter_by_chain_enterprise_officer_activity_and_term_end(
    gql: OverHttp,
) -> None:
    chain_id = (await support.chain(gql))["chain"]["id"]
    kept = await ps.posting(gql, enterprise_id=await ps.sme(gql, chainId=chain_id))
    ended = await ps.posting(gql, enterprise_id=await ps.sme(gql, chainId=chain_id))
    done = await gql(ps.END, {"input": {"postingId": ended["id"], "on": support.days_ago(0)}})
    headers = token(done, "endSecretaryPosting")

    async def ids(**filter: object) -> set[str]:
        reply = await gql(POSTINGS, {"filter": filter}, headers=headers)
        return {node["id"] for node in reply.data["secretaryPostings"]["nodes"]}

    assert await ids(chainId=chain_id) == {kept["id"], ended["id"]}
    assert await ids(chainId=chain_id, active=True) == {kept["id"]}
    assert await ids(chainId=chain_id, active=False) == {ended["id"]}
    assert await ids(enterpriseId=kept["enterprise"]["id"]) == {kept["id"]}
    assert await ids(officerId=ended["officer"]["id"]) == {ended["id"]}
    after_end = (date.fromisoformat(ps.TERM_END) + timedelta(days=1)).isoformat()
    assert await ids(chainId=chain_id, termEndsBefore=ps.TERM_END) == set()
    assert await ids(chainId=chain_id, termEndsBefore=after_end) == {kept["id"], ended["id"]}


async def test_a_chain_of_four_one_organised_two_posted_one_bare_is_covered_1_in_4_and_3_in_4(
    gql: OverHttp,
) -> None:
    chain_id = (await support.chain(gql))["chain"]["id"]
    organised, posted_a, posted_b, _bare = [await ps.sme(gql, chainId=chain_id) for _ in range(4)]
    await gql(
        ps.RECORD_ORGANIZATION,
        {"input": {"enterpriseId": organised, "kind": "BRANCH", "memberCount": 5}},
    )
    await ps.posting(gql, enterprise_id=posted_a)
    last = await gql(ps.POST, ps.posting_input(posted_b, await ps.secretary(gql)))
    reply = await gql(CHAINS, headers=token(last, "postFirstSecretary"))
    chain = next(c for c in reply.data["industryChains"] if c["id"] == chain_id)
    assert chain["coverage"] == {
        "enterprises": 4,
        "organisationCovered": 1,
        "workCovered": 3,
        "organisationRate": 0.25,
        "workRate": 0.75,
    }


async def test_ending_a_posting_takes_work_coverage_back_on_chain_and_dashboard(
    gql: OverHttp,
) -> None:
    chain_id = (await support.chain(gql))["chain"]["id"]
    enterprise_id = await ps.sme(gql, chainId=chain_id)
    posted = await gql(ps.POST, ps.posting_input(enterprise_id, await ps.secretary(gql)))
    posting_id = posted.data["postFirstSecretary"]["posting"]["id"]
    rates = "{ dashboard { organisationCoverageRate workCoverageRate } }"
    before = await gql(rates, headers=token(posted, "postFirstSecretary"))
    ended = await gql(ps.END, {"input": {"postingId": posting_id, "on": support.days_ago(0)}})
    headers = token(ended, "endSecretaryPosting")
    after = await gql(rates, headers=headers)
    chains = await gql(CHAINS, headers=headers)
    chain = next(c for c in chains.data["industryChains"] if c["id"] == chain_id)
    assert chain["coverage"]["workCovered"] == 0
    assert (
        after.data["dashboard"]["workCoverageRate"] < before.data["dashboard"]["workCoverageRate"]
    )


async def test_a_posting_as_of_a_moment_before_it_existed_is_null(gql: OverHttp) -> None:
    posting = await ps.posting(gql)
    reply = await gql(
        """query($id: ID!, $at: DateTime) { secretaryPosting(id: $id, asOf: $at) { id } }""",
        {"id": posting["id"], "at": "2020-01-01T00:00:00+08:00"},
    )
    assert reply.data["secretaryPosting"] is None
