from __future__ import annotations

import inspect
from enum import Enum

import pytest

from cso.domain import enums
from cso.domain.enums import DOMAIN_ENUMS, Milestone, ProjectStage, RequestCategory


def test_milestones_follow_their_fixed_order() -> None:
    assert [m.value for m in Milestone] == [
        "SIGNED",
        "SITE_SELECTED",
        "LAND_DELIVERED",
        "CONSTRUCTION_STARTED",
        "COMPLETED",
        "OPERATING",
    ]
    assert Milestone.SIGNED.next is Milestone.SITE_SELECTED
    assert Milestone.OPERATING.next is None
    assert Milestone.LAND_DELIVERED.rank == 2


def test_the_project_stages_are_the_milestones_and_closed() -> None:
    assert [s.value for s in ProjectStage] == [m.value for m in Milestone] + ["CLOSED"]
    assert ProjectStage.of(Milestone.COMPLETED) is ProjectStage.COMPLETED


@pytest.mark.parametrize(
    ("category", "days"),
    [("PERMIT", 5), ("LAND", 10), ("POLICY", 5), ("TALENT", 10), ("FINANCING", 10), ("OTHER", 10)],
)
def test_each_request_category_has_its_days_to_answer(category: str, days: int) -> None:
    assert RequestCategory[category].days_to_answer == days


def test_every_enum_in_the_enums_module_is_listed_in_domain_enums() -> None:
    defined = {
        obj for _, obj in inspect.getmembers(enums, inspect.isclass) if issubclass(obj, Enum)
    } - {Enum}
    assert defined == set(DOMAIN_ENUMS)


@pytest.mark.parametrize("enum_type", DOMAIN_ENUMS)
def test_every_domain_enum_is_a_plain_enum_whose_values_are_its_names(
    enum_type: type[Enum],
) -> None:
    # A str or int mixin would be written as a bare JSON value and read back untyped.
    assert not issubclass(enum_type, str | int)
    assert all(member.value == member.name for member in enum_type)
