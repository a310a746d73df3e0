from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest

from cso.domain.enums import UnitStatus
from cso.domain.errors import InvalidValue
from cso.domain.housing_unit import HousingUnit, UnitNotAvailable, UnitNotHeldBy, fits


def unit(rooms: int = 2) -> HousingUnit:
    return HousingUnit.list_unit("琶洲人才公寓1栋", "1203", rooms, Decimal("68.5"), Decimal("2100"))


def test_a_listed_unit_is_available_with_amounts_to_the_cent() -> None:
    listed = unit()
    assert listed.status is UnitStatus.AVAILABLE
    assert listed.area_sqm == Decimal("68.50")
    assert listed.monthly_rent == Decimal("2100.00")
    assert listed.number_key == "琶洲人才公寓1栋/1203"


@pytest.mark.parametrize("rent", [Decimal("-0"), Decimal("-0.00"), Decimal("0")])
def test_a_rent_of_negative_zero_is_kept_as_plain_zero(rent: Decimal) -> None:
    listed = HousingUnit.list_unit("B", "1", 1, Decimal(50), rent)
    assert str(listed.monthly_rent) == "0.00"


@pytest.mark.parametrize(
    ("field", "args"),
    [
        ("rooms", ("B", "1", 0, Decimal(50), Decimal(1))),
        ("rooms", ("B", "1", 11, Decimal(50), Decimal(1))),
        ("areaSqm", ("B", "1", 1, Decimal(0), Decimal(1))),
        ("monthlyRent", ("B", "1", 1, Decimal(50), Decimal(-1))),
        ("monthlyRent", ("B", "1", 1, Decimal(50), Decimal("1.001"))),
        ("unitNo", ("B", " ", 1, Decimal(50), Decimal(1))),
        ("building", ("", "1", 1, Decimal(50), Decimal(1))),
    ],
)
def test_a_unit_with_a_malformed_detail_is_refused_naming_the_field(
    field: str, args: tuple[str, str, int, Decimal, Decimal]
) -> None:
    with pytest.raises(InvalidValue) as refused:
        HousingUnit.list_unit(*args)
    assert refused.value.field == field


def test_a_unit_fits_at_most_two_people_a_room() -> None:
    assert fits(2, 4) and not fits(2, 5)
    assert unit(rooms=1).fits(2) and not unit(rooms=1).fits(3)


def test_a_unit_goes_allocated_occupied_and_available_again_for_its_application() -> None:
    listed, application_id = unit(), uuid4()
    listed.allocate(application_id)
    assert listed.status is UnitStatus.ALLOCATED
    with pytest.raises(UnitNotHeldBy):
        listed.occupy(uuid4())
    listed.occupy(application_id)
    assert listed.status is UnitStatus.OCCUPIED
    listed.vacate(application_id)
    assert listed.status is UnitStatus.AVAILABLE and listed.application_id is None


def test_an_allocated_or_maintained_unit_cannot_be_allocated() -> None:
    listed = unit()
    listed.allocate(uuid4())
    with pytest.raises(UnitNotAvailable):
        listed.allocate(uuid4())
    other = unit()
    other.start_maintenance("漏水维修")
    with pytest.raises(UnitNotAvailable):
        other.allocate(uuid4())
    other.end_maintenance()
    assert other.status is UnitStatus.AVAILABLE
