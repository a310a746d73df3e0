from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from cso.domain.enterprise import (
    Enterprise,
    PartyOrganizationInconsistent,
    PostingNotActive,
    PostingRequiresSme,
    SecretaryAlreadyPosted,
)
from cso.domain.enums import PartyOrganizationKind
from cso.domain.errors import InvalidValue

CODE = "91350100M000100Y43"


def register(
    sme: bool = True, park: str | None = "Science Park", chain_id: UUID | None = None
) -> Enterprise:
    return Enterprise.register(
        name="Bright Sensors Ltd",
        credit_code=CODE.lower(),
        district="Huangpu",
        park=park,
        sme=sme,
        chain_id=chain_id,
    )


def test_a_registered_enterprise_has_a_normalised_credit_code_and_no_organisation() -> None:
    chain_id = uuid4()
    enterprise = register(chain_id=chain_id)
    assert enterprise.credit_code == CODE
    assert enterprise.chain_id == chain_id
    assert enterprise.party_organization is PartyOrganizationKind.NONE
    assert enterprise.party_member_count == 0
    assert not enterprise.organisation_covered


def test_an_enterprise_with_a_bad_credit_code_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        Enterprise.register(
            name="X", credit_code=CODE[:-1] + "4", district="D", park=None, sme=True, chain_id=None
        )
    assert refused.value.field == "creditCode"


def test_an_enterprise_outside_any_park_has_no_park() -> None:
    assert register(park=" ").park is None


def test_the_sme_flag_must_be_true_or_false() -> None:
    with pytest.raises(InvalidValue) as refused:
        register(sme="no")  # type: ignore[arg-type]
    assert refused.value.field == "sme"


@pytest.mark.parametrize(
    ("kind", "members"),
    [
        (PartyOrganizationKind.BRANCH, 3),
        (PartyOrganizationKind.GENERAL_BRANCH, 20),
        (PartyOrganizationKind.COMMITTEE, 120),
        (PartyOrganizationKind.NONE, 0),
    ],
)
def test_a_party_organisation_is_recorded(kind: PartyOrganizationKind, members: int) -> None:
    enterprise = register()
    enterprise.record_party_organization(PartyOrganizationKind.BRANCH, 5)
    enterprise.record_party_organization(kind, members)
    assert (enterprise.party_organization, enterprise.party_member_count) == (kind, members)
    assert enterprise.organisation_covered is (kind is not PartyOrganizationKind.NONE)


def test_without_an_organisation_the_member_count_is_zero() -> None:
    with pytest.raises(PartyOrganizationInconsistent, match="must be 0"):
        register().record_party_organization(PartyOrganizationKind.NONE, 2)


@pytest.mark.parametrize(
    "kind",
    [
        PartyOrganizationKind.BRANCH,
        PartyOrganizationKind.GENERAL_BRANCH,
        PartyOrganizationKind.COMMITTEE,
    ],
)
def test_a_party_organisation_needs_at_least_three_members(kind: PartyOrganizationKind) -> None:
    with pytest.raises(PartyOrganizationInconsistent, match="at least 3 full members"):
        register().record_party_organization(kind, 2)


@pytest.mark.parametrize(("count", "field"), [(-1, "memberCount"), (2.5, "memberCount")])
def test_the_member_count_is_a_whole_non_negative_number(count: object, field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        register().record_party_organization(PartyOrganizationKind.BRANCH, count)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_recording_the_same_organisation_again_records_nothing() -> None:
    enterprise = register()
    enterprise.record_party_organization(PartyOrganizationKind.BRANCH, 4)
    version = enterprise.version
    enterprise.record_party_organization(PartyOrganizationKind.BRANCH, 4)
    assert enterprise.version == version


def test_work_is_covered_by_an_organisation_or_a_first_secretary() -> None:
    enterprise = register()
    assert not enterprise.work_covered(has_active_secretary=False)
    assert enterprise.work_covered(has_active_secretary=True)
    enterprise.record_party_organization(PartyOrganizationKind.BRANCH, 3)
    assert enterprise.work_covered(has_active_secretary=False)


def test_without_an_argument_work_coverage_follows_the_enterprise_own_posting() -> None:
    enterprise = register()
    assert not enterprise.work_covered()
    enterprise.begin_posting(uuid4())
    assert enterprise.work_covered()


def test_a_first_secretary_is_posted_to_an_sme_and_the_posting_ends() -> None:
    enterprise = register(sme=True)
    posting_id = uuid4()
    enterprise.begin_posting(posting_id)
    assert enterprise.active_posting_id == posting_id
    enterprise.end_posting(posting_id)
    assert enterprise.active_posting_id is None


def test_first_secretaries_are_posted_only_to_smes() -> None:
    with pytest.raises(PostingRequiresSme, match="only to SMEs"):
        register(sme=False).begin_posting(uuid4())


def test_an_enterprise_has_at_most_one_active_first_secretary() -> None:
    enterprise = register()
    enterprise.begin_posting(uuid4())
    with pytest.raises(SecretaryAlreadyPosted, match="at most one"):
        enterprise.begin_posting(uuid4())


def test_only_the_active_posting_of_an_enterprise_can_end() -> None:
    enterprise = register()
    with pytest.raises(PostingNotActive):
        enterprise.end_posting(uuid4())
    enterprise.begin_posting(uuid4())
    with pytest.raises(PostingNotActive):
        enterprise.end_posting(uuid4())


def test_a_party_organisation_records_the_coverages_it_changes_and_only_then() -> None:
    enterprise = register()
    enterprise.record_party_organization(PartyOrganizationKind.BRANCH, 3)
    enterprise.record_party_organization(PartyOrganizationKind.GENERAL_BRANCH, 60)
    events = enterprise.collect_events()[1:]
    assert [type(e).__name__ for e in events] == [
        "PartyOrganizationRecorded",
        "CoverageChanged",
        "PartyOrganizationRecorded",
    ]
    assert (events[1].organisation_covered, events[1].work_covered) == (True, True)


def test_a_first_secretary_keeps_work_coverage_when_the_organisation_goes() -> None:
    enterprise = register()
    enterprise.begin_posting(uuid4())
    enterprise.record_party_organization(PartyOrganizationKind.BRANCH, 3)
    enterprise.record_party_organization(PartyOrganizationKind.NONE, 0)
    assert not enterprise.organisation_covered and enterprise.work_covered()
    coverage = [e for e in enterprise.collect_events() if type(e).__name__ == "CoverageChanged"]
    assert [(e.organisation_covered, e.work_covered) for e in coverage] == [
        (False, True),
        (True, True),
        (False, True),
    ]
