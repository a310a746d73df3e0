from __future__ import annotations

from uuid import uuid4

import pytest

from cso.domain.chain import AlreadyChainMaster, IndustryChain, coverage
from cso.domain.errors import InvalidValue


def establish() -> IndustryChain:
    return IndustryChain.establish(
        name=" 人工智能 ", leader="Zhang Min", lead_department="Industry Bureau"
    )


def test_an_established_chain_has_its_details_and_no_masters() -> None:
    chain = establish()
    assert (chain.name, chain.leader, chain.lead_department) == (
        "人工智能",
        "Zhang Min",
        "Industry Bureau",
    )
    assert chain.master_ids == []


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("name", {"name": ""}),
        ("leader", {"leader": " "}),
        ("leadDepartment", {"lead_department": ""}),
    ],
)
def test_a_chain_needs_a_name_a_leader_and_a_lead_department(
    field: str, changes: dict[str, str]
) -> None:
    details = {"name": "生物医药", "leader": "Zhang Min", "lead_department": "Health Bureau"}
    with pytest.raises(InvalidValue) as refused:
        IndustryChain.establish(**{**details, **changes})
    assert refused.value.field == field


def test_chain_masters_are_kept_in_the_order_designated() -> None:
    chain = establish()
    first, second = uuid4(), uuid4()
    chain.designate_master(first)
    chain.designate_master(second)
    assert chain.master_ids == [first, second]
    assert chain.is_master(first)


def test_an_enterprise_is_designated_chain_master_only_once() -> None:
    chain = establish()
    enterprise_id = uuid4()
    chain.designate_master(enterprise_id)
    with pytest.raises(AlreadyChainMaster, match="already a chain master"):
        chain.designate_master(enterprise_id)
    assert chain.master_ids == [enterprise_id]


def test_a_chain_of_four_with_one_branch_and_two_postings_is_covered_1_in_4_and_3_in_4() -> None:
    figures = coverage(enterprises=4, organisation_covered=1, work_covered=3)
    assert (figures.organisation_rate, figures.work_rate) == (0.25, 0.75)


def test_a_chain_without_enterprises_has_no_coverage_rates() -> None:
    figures = coverage(enterprises=0, organisation_covered=0, work_covered=0)
    assert (figures.organisation_rate, figures.work_rate) == (None, None)
