"""Over HTTP: every first-secretary mutation, and each rule's refusal with its code."""

from __future__ import annotations

from datetime import date, timedelta

from cso.services.identity import Role
from tests.e2e import postings_support as ps
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

TODAY = date.today()
# Two days on: the future in the district (UTC+8) whatever the test machine's zone.
FUTURE = (TODAY + timedelta(days=2)).isoformat()


def record(posting_id: str, on: str | None = None, summary: str = "走访企业") -> dict[str, object]:
    return {"input": {"postingId": posting_id, "on": on or support.days_ago(3), "summary": summary}}


async def test_a_supervisor_posts_a_first_secretary_and_the_enterprise_is_work_covered(
    gql: OverHttp,
) -> None:
    enterprise_id, officer_id = await ps.sme(gql), await ps.secretary(gql)
    reply = await gql(ps.POST, ps.posting_input(enterprise_id, officer_id))
    posting = reply.data["postFirstSecretary"]["posting"]
    assert posting["active"] is True and posting["officer"]["id"] == officer_id
    assert posting["enterprise"] == {"id": enterprise_id, "workCovered": True}
    assert posting["sendingUnit"] == "区科技局"


async def test_the_posted_officer_records_visits_and_guidance_on_their_own_posting(
    gql: OverHttp,
) -> None:
    posting = await ps.posting(gql)
    officer_id = posting["officer"]["id"]
    visit = await gql(ps.VISIT, record(posting["id"]), role=Role.OFFICER, sub=officer_id)
    guidance = await gql(
        ps.GUIDANCE,
        record(posting["id"], summary="指导成立党支部"),
        role=Role.OFFICER,
        sub=officer_id,
    )
    assert visit.data["recordSecretaryVisit"]["posting"]["visitCount"] == 1
    assert visit.data["recordSecretaryVisit"]["recordId"]
    assert guidance.data["recordPartyBuildingGuidance"]["posting"]["guidanceCount"] == 1


async def test_another_officer_may_not_record_on_the_posting(gql: OverHttp) -> None:
    posting = await ps.posting(gql)
    stranger = await ps.secretary(gql)
    for query in (ps.VISIT, ps.GUIDANCE):
        reply = await gql(query, record(posting["id"]), role=Role.OFFICER, sub=stranger)
        assert reply.code == "FORBIDDEN"


async def test_officers_may_not_post_extend_or_end_and_viewers_change_nothing(
    gql: OverHttp,
) -> None:
    posting = await ps.posting(gql)
    officer_id = posting["officer"]["id"]
    refused = [
        await gql(ps.POST, ps.posting_input(await ps.sme(gql), officer_id), role=Role.OFFICER),
        await gql(
            ps.EXTEND,
            {"input": {"postingId": posting["id"], "termEnd": "2031-01-01"}},
            role=Role.OFFICER,
            sub=officer_id,
        ),
        await gql(
            ps.END,
            {"input": {"postingId": posting["id"], "on": support.days_ago(0)}},
            role=Role.OFFICER,
            sub=officer_id,
        ),
        await gql(ps.VISIT, record(posting["id"]), role=Role.VIEWER),
    ]
    assert [reply.code for reply in refused] == ["FORBIDDEN"] * 4


async def test_a_supervisor_extends_the_term_with_a_reason_kept(gql: OverHttp) -> None:
    posting = await ps.posting(gql)
    later = (TODAY + timedelta(days=900)).isoformat()
    reply = await gql(
        ps.EXTEND, {"input": {"postingId": posting["id"], "termEnd": later, "reason": "企业挽留"}}
    )
    assert reply.data["extendSecretaryTerm"]["posting"]["termEnd"] == later
    shown = await gql(
        """query($id: ID!) { secretaryPosting(id: $id) {
             extensions { previousEnd termEnd reason by { id } actor { id role name } } } }""",
        {"id": posting["id"]},
        headers={"X-Consistency-Token": reply.data["extendSecretaryTerm"]["consistencyToken"]},
    )
    assert shown.data["secretaryPosting"]["extensions"] == [
        {
            "previousEnd": ps.TERM_END,
            "termEnd": later,
            "reason": "企业挽留",
            # The supervisor's token names no registered officer; `actor` names them.
            "by": None,
            "actor": {"id": support.SUPERVISOR_ID, "role": "supervisor", "name": "Tester"},
        }
    ]


async def test_an_extension_must_move_the_end_later(gql: OverHttp) -> None:
    posting = await ps.posting(gql)
    reply = await gql(ps.EXTEND, {"input": {"postingId": posting["id"], "termEnd": ps.TERM_END}})
    assert reply.code == "RULE_VIOLATED"


async def test_ending_a_posting_frees_the_enterprise_and_nothing_more_is_recorded(
    gql: OverHttp,
) -> None:
    posting = await ps.posting(gql)
    today = TODAY.isoformat()
    ended = await gql(ps.END, {"input": {"postingId": posting["id"], "on": today}})
    after = ended.data["endSecretaryPosting"]["posting"]
    assert (after["active"], after["endedOn"]) == (False, today)
    assert after["enterprise"]["workCovered"] is False
    assert (await gql(ps.VISIT, record(posting["id"]))).code == "RULE_VIOLATED"
    again = await gql(ps.END, {"input": {"postingId": posting["id"], "on": today}})
    assert again.code == "RULE_VIOLATED"


async def test_each_posting_rule_refuses_with_its_code(gql: OverHttp) -> None:
    enterprise_id, officer_id = await ps.sme(gql), await ps.secretary(gql)
    large = await ps.sme(gql, sme=False)
    cso_only = (await support.officer(gql, roles=["CSO"]))["officer"]["id"]
    outsider = await ps.secretary(gql, partyMember=False)
    rule_violations = [
        ps.posting_input(large, officer_id),
        ps.posting_input(enterprise_id, cso_only),
        ps.posting_input(enterprise_id, outsider),
        ps.posting_input(enterprise_id, officer_id, termEnd=ps.TERM_START),
    ]
    for variables in rule_violations:
        assert (await gql(ps.POST, variables)).code == "RULE_VIOLATED", variables
    blank = await gql(ps.POST, ps.posting_input(enterprise_id, officer_id, sendingUnit=" "))
    assert (blank.code, blank.error["extensions"]["field"]) == ("INVALID_INPUT", "sendingUnit")
    missing = await gql(ps.POST, ps.posting_input(enterprise_id, support.SUPERVISOR_ID))
    assert missing.code == "NOT_FOUND"


async def test_records_in_the_future_or_before_the_term_are_refused(gql: OverHttp) -> None:
    posting = await ps.posting(gql)
    for on in (FUTURE, support.days_ago(201)):
        assert (await gql(ps.VISIT, record(posting["id"], on))).code == "RULE_VIOLATED"
        assert (await gql(ps.GUIDANCE, record(posting["id"], on))).code == "RULE_VIOLATED"
    blank = await gql(ps.VISIT, record(posting["id"], summary=""))
    assert blank.code == "INVALID_INPUT"


async def test_a_posting_ends_neither_in_the_future_nor_before_its_latest_record(
    gql: OverHttp,
) -> None:
    posting = await ps.posting(gql)
    await gql(ps.VISIT, record(posting["id"], support.days_ago(2)))
    for on in (FUTURE, support.days_ago(3)):
        reply = await gql(ps.END, {"input": {"postingId": posting["id"], "on": on}})
        assert reply.code == "RULE_VIOLATED"


async def test_a_stale_expected_version_is_a_conflict(gql: OverHttp) -> None:
    posting = await ps.posting(gql)
    reply = await gql(
        ps.EXTEND,
        {"input": {"postingId": posting["id"], "termEnd": "2029-01-01", "expectedVersion": 7}},
    )
    assert reply.code == "CONFLICT"
    assert reply.error["extensions"]["currentVersion"] == posting["version"]
