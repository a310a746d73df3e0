"""SecretaryPosting: posting, visits and guidance, extension and end, one rule a test."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cso.domain.enterprise import Enterprise, SecretaryAlreadyPosted
from cso.domain.enums import OfficerRole, PartyOrganizationKind
from cso.domain.errors import InvalidValue
from cso.domain.officer import Officer, OfficerCannotServe, PostingAlreadyActive, RoleInUse
from cso.domain.secretary_posting import (
    DateNotAllowed,
    PostingEnded,
    SecretaryPosting,
    TermNotAllowed,
)

TODAY = date(2026, 11, 20)
START = date(2026, 3, 1)
END = date(2028, 2, 29)


def officer(party_member: bool = True, roles: list[OfficerRole] | None = None) -> Officer:
    return Officer.register(
        "陈晓", "区委组织部", roles or [OfficerRole.FIRST_SECRETARY], party_member, "13800000000"
    )


def enterprise(sme: bool = True) -> Enterprise:
    return Enterprise.register("广州芯联科技", "91350100M000100Y43", "黄埔区", None, sme, None)


def post(
    secretary: Officer | None = None, company: Enterprise | None = None
) -> tuple[SecretaryPosting, Officer, Enterprise]:
    secretary = secretary or officer()
    company = company or enterprise()
    posting = SecretaryPosting.post(secretary, company, "区科技局", START, END, TODAY)
    return posting, secretary, company


def test_a_posting_is_held_by_the_officer_and_the_enterprise_in_the_same_command() -> None:
    posting, secretary, company = post()
    assert posting.active and posting.officer_id == secretary.id
    assert secretary.active_posting_id == posting.id
    assert company.active_posting_id == posting.id


def test_posting_makes_an_enterprise_without_organisation_work_covered_only() -> None:
    _, _, company = post()
    coverage = company.collect_events()[-1]
    assert type(coverage).__name__ == "CoverageChanged"
    assert (coverage.organisation_covered, coverage.work_covered) == (False, True)


def test_posting_to_an_organised_enterprise_changes_no_coverage() -> None:
    company = enterprise()
    company.record_party_organization(PartyOrganizationKind.BRANCH, 5)
    company.collect_events()
    post(company=company)
    assert [type(e).__name__ for e in company.collect_events()] == ["FirstSecretaryPosted"]


def test_only_an_active_party_member_with_the_role_is_posted() -> None:
    for secretary in (officer(party_member=False), officer(roles=[OfficerRole.CSO])):
        with pytest.raises(OfficerCannotServe):
            post(secretary)


def test_an_enterprise_has_at_most_one_active_first_secretary() -> None:
    _, _, company = post()
    with pytest.raises(SecretaryAlreadyPosted):
        post(company=company)


def test_an_officer_holds_at_most_one_active_posting() -> None:
    _, secretary, _ = post()
    with pytest.raises(PostingAlreadyActive):
        post(secretary)


def test_a_term_ends_after_it_starts() -> None:
    with pytest.raises(TermNotAllowed):
        SecretaryPosting.post(officer(), enterprise(), "区科技局", START, START, TODAY)


def test_a_sending_unit_is_required() -> None:
    with pytest.raises(InvalidValue) as refused:
        SecretaryPosting.post(officer(), enterprise(), "  ", START, END, TODAY)
    assert refused.value.field == "sendingUnit"


def test_visits_and_guidance_keep_counts_and_latest_dates_not_timelines() -> None:
    posting, _, _ = post()
    posting.record_visit(date(2026, 5, 1), "走访", TODAY)
    posting.record_visit(date(2026, 4, 1), "再访", TODAY)
    posting.record_guidance(date(2026, 6, 1), "党建指导", TODAY)
    assert (posting.visit_count, posting.latest_visit_on) == (2, date(2026, 5, 1))
    assert (posting.guidance_count, posting.latest_guidance_on) == (1, date(2026, 6, 1))


def test_a_record_is_neither_in_the_future_nor_before_the_term() -> None:
    posting, _, _ = post()
    for on in (TODAY + timedelta(days=1), START - timedelta(days=1)):
        with pytest.raises(DateNotAllowed):
            posting.record_visit(on, "走访", TODAY)


def test_an_extension_moves_the_end_later() -> None:
    posting, _, _ = post()
    with pytest.raises(TermNotAllowed):
        posting.extend_term(END, None, None)
    posting.extend_term(END + timedelta(days=365), "延期一年", None)
    assert posting.term_end == END + timedelta(days=365)
    assert posting.extension_count == 1


def test_ending_frees_the_officer_and_the_enterprise() -> None:
    posting, secretary, company = post()
    posting.end(TODAY, TODAY, secretary, company)
    assert not posting.active and posting.ended_on == TODAY
    assert secretary.active_posting_id is None and company.active_posting_id is None
    post(secretary, company)  # both may be posted again


def test_nothing_is_recorded_on_an_ended_posting() -> None:
    posting, secretary, company = post()
    posting.end(TODAY, TODAY, secretary, company)
    with pytest.raises(PostingEnded):
        posting.record_guidance(TODAY, "党建指导", TODAY)
    with pytest.raises(PostingEnded):
        posting.extend_term(END + timedelta(days=1), None, None)
    with pytest.raises(PostingEnded):
        posting.end(TODAY, TODAY, secretary, company)


def test_a_posting_ends_neither_in_the_future_nor_before_its_latest_record() -> None:
    posting, secretary, company = post()
    posting.record_visit(date(2026, 9, 1), "走访", TODAY)
    for on in (TODAY + timedelta(days=1), date(2026, 8, 31)):
        with pytest.raises(DateNotAllowed):
            posting.end(on, TODAY, secretary, company)


def test_a_posted_officer_is_neither_deactivated_nor_stripped_of_the_role() -> None:
    posting, secretary, _ = post()
    with pytest.raises(RoleInUse, match=str(posting.id)):
        secretary.deactivate()
    with pytest.raises(RoleInUse):
        secretary.change_roles([OfficerRole.CSO])


def test_a_term_starting_more_than_six_months_ahead_is_invalid_naming_the_field() -> None:
    start = TODAY + timedelta(days=184)
    with pytest.raises(InvalidValue, match="within six months") as refused:
        SecretaryPosting.post(
            officer(), enterprise(), "区科技局", start, start + timedelta(365), TODAY
        )
    assert refused.value.field == "termStart"
    start = TODAY + timedelta(days=183)
    assert (
        SecretaryPosting.post(
            officer(), enterprise(), "区科技局", start, start + timedelta(365), TODAY
        ).term_start
        == start
    )


def test_a_term_runs_at_most_three_years_and_six_with_extensions() -> None:
    with pytest.raises(InvalidValue, match="at most 3 years") as refused:
        SecretaryPosting.post(officer(), enterprise(), "区科技局", START, date(2029, 3, 2), TODAY)
    assert refused.value.field == "termEnd"
    posting, _, _ = post()
    with pytest.raises(InvalidValue, match="at most 6 years") as refused:
        posting.extend_term(date(9999, 12, 31), None, None)
    assert refused.value.field == "termEnd"
    posting.extend_term(date(2032, 3, 1), None, None)
    assert posting.term_end == date(2032, 3, 1)
