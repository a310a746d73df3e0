"""The postings read model: a posting's row, its visit and guidance rows, its extensions,
its end; the officer's and the enterprise's active posting alongside."""

from __future__ import annotations

from datetime import date

from cso.domain.enums import OfficerRole, RequestCategory
from cso.domain.secretary_posting import SecretaryPosting
from cso.projections.postings import extensions_of
from cso.projections.request_queries import problems_of
from tests.integration.projections.factories import new_chain, new_enterprise, new_officer
from tests.integration.projections.world import World

TODAY = date(2026, 11, 20)
SELECT_POSTING = "SELECT * FROM rm_postings WHERE id = $1"


async def test_a_posting_its_records_extension_and_end_are_projected(world: World) -> None:
    chain = new_chain()
    enterprise = new_enterprise(chain_id=chain.id)
    officer = new_officer(roles=[OfficerRole.FIRST_SECRETARY])
    await world.save(chain, enterprise, officer)
    posting = SecretaryPosting.post(
        officer, enterprise, "区科技局", date(2026, 1, 5), date(2028, 1, 4), TODAY
    )
    await world.save(posting, officer, enterprise)

    row = await world.row(SELECT_POSTING, posting.id)
    assert (row["officer_id"], row["enterprise_id"], row["chain_id"]) == (
        officer.id,
        enterprise.id,
        chain.id,
    )
    assert row["active"] is True and row["version"] == 1
    held = await world.row("SELECT active_posting_id FROM rm_officers WHERE id = $1", officer.id)
    assert held["active_posting_id"] == posting.id
    covered = await world.row("SELECT * FROM rm_enterprises WHERE id = $1", enterprise.id)
    assert (covered["active_posting_id"], covered["work_covered"]) == (posting.id, True)

    posting.record_visit(date(2026, 3, 1), "走访", TODAY)
    posting.record_visit(date(2026, 2, 1), "首访", TODAY)
    posting.record_guidance(date(2026, 4, 1), "党课", TODAY)
    posting.extend_term(date(2029, 1, 4), "企业挽留", None)
    await world.save(posting)
    row = await world.row(SELECT_POSTING, posting.id)
    assert (row["visit_count"], row["latest_visit_on"]) == (2, date(2026, 3, 1))
    assert (row["guidance_count"], row["latest_guidance_on"]) == (1, date(2026, 4, 1))
    assert (row["term_end"], row["extension_count"], row["version"]) == (date(2029, 1, 4), 1, 5)
    kinds = await world.store.pool.fetch(
        "SELECT kind, version FROM rm_posting_records WHERE posting_id = $1 ORDER BY version",
        posting.id,
    )
    assert [(r["kind"], r["version"]) for r in kinds] == [
        ("VISIT", 2),
        ("VISIT", 3),
        ("GUIDANCE", 4),
    ]
    as_of_four = await extensions_of(world.store.pool, posting.id, 4)
    assert as_of_four == []
    extensions = await extensions_of(world.store.pool, posting.id, 5)
    assert [(e["previous_end"], e["reason"]) for e in extensions] == [
        (date(2028, 1, 4), "企业挽留")
    ]

    posting.end(TODAY, TODAY, officer, enterprise)
    await world.save(posting, officer, enterprise)
    ended = await world.row(SELECT_POSTING, posting.id)
    assert (ended["active"], ended["ended_on"]) == (False, TODAY)
    freed = await world.row("SELECT * FROM rm_enterprises WHERE id = $1", enterprise.id)
    assert (freed["active_posting_id"], freed["work_covered"]) == (None, False)


async def test_a_posting_counts_its_open_problems_and_the_requests_model_holds_them(
    world: World,
) -> None:
    enterprise = new_enterprise()
    officer = new_officer(roles=[OfficerRole.FIRST_SECRETARY])
    await world.save(enterprise, officer)
    posting = SecretaryPosting.post(
        officer, enterprise, "区科技局", date(2026, 1, 5), date(2028, 1, 4), TODAY
    )
    await world.save(posting, officer, enterprise)
    first = posting.log_problem(RequestCategory.TALENT, "招聘", TODAY)
    second = posting.log_problem(RequestCategory.OTHER, "通勤", TODAY)
    await world.save(first, second, posting)
    row = await world.row(SELECT_POSTING, posting.id)
    assert (row["open_problems"], row["version"]) == (2, 3)

    first.resolve("已对接", TODAY, posting)
    await world.save(first, posting)
    row = await world.row(SELECT_POSTING, posting.id)
    assert (row["open_problems"], row["version"]) == (1, 4)
    found = await problems_of(world.store.pool, [posting.id, enterprise.id])
    # Received the same day, in one append: their order is by id.
    assert {(r["id"], r["source"], r["status"]) for r in found[0]} == {
        (first.id, "POSTING", "RESOLVED"),
        (second.id, "POSTING", "OPEN"),
    }
    assert found[1] == []
    assert all(r["posting_id"] == posting.id and r["project_id"] is None for r in found[0])
    # The count is the one the domain decided, stored as is: a row that drifted is set right.
    await world.store.pool.execute("UPDATE rm_postings SET open_problems = 7")
    second.resolve("已对接", TODAY, posting)
    await world.save(second, posting)
    row = await world.row(SELECT_POSTING, posting.id)
    assert (row["open_problems"], row["version"]) == (0, 5)
