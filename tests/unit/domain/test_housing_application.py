from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from cso.domain.enums import DOMAIN_ENUMS, ApplicationStatus, OfficerRole, TalentTier, UnitStatus
from cso.domain.errors import InvalidValue
from cso.domain.housing_application import (
    AllocationOutOfOrder,
    ApplicationNotInStatus,
    DateNotAllowed,
    HousingApplication,
    NoCasoAssigned,
    RejectionNeedsReason,
)
from cso.domain.housing_unit import HousingUnit, UnitDoesNotFit, UnitNotAvailable
from cso.domain.id_number import make_id_number
from cso.domain.officer import Officer, OfficerCannotServe, RoleInUse
from cso.domain.waitlist import Waitlist
from cso.eventstore import Codec

TODAY = date(2026, 11, 20)
LEASE_END = date(2029, 11, 30)
ID_NUMBER = make_id_number("44010619900101123")


def caso(roles: list[OfficerRole] | None = None) -> Officer:
    return Officer.register(
        "陈静", "区人才工作局", [OfficerRole.CASO] if roles is None else roles, True, "13800001234"
    )


def application(tier: TalentTier = TalentTier.B, household: int = 3) -> HousingApplication:
    return HousingApplication.apply(
        uuid4(), _plain, "王小明", ID_NUMBER, "13912345678", uuid4(), tier, household, TODAY
    )


def _plain(value: str) -> str:
    """The domain is handed a sealer; here it marks what it was given."""
    return f"sealed({value})"


def unit(rooms: int = 2) -> HousingUnit:
    return HousingUnit.list_unit(
        "琶洲人才公寓1栋", str(uuid4())[:8], rooms, Decimal(70), Decimal(2000)
    )


def approved(
    waitlist: Waitlist, officer: Officer, tier: TalentTier = TalentTier.B, household: int = 3
) -> HousingApplication:
    case = application(tier, household)
    case.assign_caso(officer, previous=None)
    case.approve(waitlist)
    return case


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("idNumber", {"id_number": "440106199001011230"}),
        ("householdSize", {"household_size": 0}),
        ("householdSize", {"household_size": True}),
        ("tier", {"tier": "E"}),
        ("phone", {"phone": "none"}),
        ("applicantName", {"applicant_name": " "}),
    ],
)
def test_an_application_with_a_malformed_detail_is_refused_naming_the_field(
    field: str, changes: dict[str, object]
) -> None:
    details: dict[str, object] = {
        "applicant_id": uuid4(),
        "seal": _plain,
        "applicant_name": "王小明",
        "id_number": ID_NUMBER,
        "phone": "13912345678",
        "employer_id": uuid4(),
        "tier": TalentTier.A,
        "household_size": 2,
        "today": TODAY,
    }
    with pytest.raises(InvalidValue) as refused:
        HousingApplication.apply(**{**details, **changes})  # type: ignore[arg-type]
    assert refused.value.field == field


def test_the_applicants_fields_are_checked_in_plain_text_and_kept_sealed() -> None:
    case = application()
    assert case.applicant_name == "sealed(王小明)"
    assert case.id_number == f"sealed({ID_NUMBER})" and case.phone == "sealed(13912345678)"
    case.erase_personal_data()
    case.erase_personal_data()
    assert case.erased and [type(e).__name__ for e in case.collect_events()] == [
        "Submitted",
        "PersonalDataErased",
    ]


def test_the_caso_holds_the_case_on_their_stream_until_it_ends() -> None:
    officer, case = caso(), application()
    case.assign_caso(officer, previous=None)
    assert officer.held(OfficerRole.CASO) == [case.id]
    with pytest.raises(RoleInUse):
        officer.deactivate()
    case.reject("收入超出标准", officer)
    assert case.status is ApplicationStatus.REJECTED
    assert officer.held(OfficerRole.CASO) == []
    officer.deactivate()


def test_only_an_officer_who_can_serve_as_caso_is_assigned_and_a_reassignment_hands_over() -> None:
    case = application()
    with pytest.raises(OfficerCannotServe):
        case.assign_caso(caso(roles=[OfficerRole.CSO]), previous=None)
    first, second = caso(), caso()
    case.assign_caso(first, previous=None)
    case.assign_caso(second, previous=first)
    assert case.caso_id == second.id
    assert first.held(OfficerRole.CASO) == [] and second.held(OfficerRole.CASO) == [case.id]


def test_a_decision_needs_a_caso_and_a_rejection_needs_a_reason() -> None:
    case, waitlist = application(), Waitlist()
    with pytest.raises(NoCasoAssigned):
        case.approve(waitlist)
    officer = caso()
    case.assign_caso(officer, previous=None)
    with pytest.raises(RejectionNeedsReason):
        case.reject("  ", officer)
    case.approve(waitlist)
    assert case.status is ApplicationStatus.APPROVED and waitlist.ordered() == [case.id]
    with pytest.raises(ApplicationNotInStatus):
        case.reject("late", officer)


def test_the_waitlist_puts_higher_tiers_first_then_earlier_approvals() -> None:
    waitlist, officer = Waitlist(), caso()
    c1 = approved(waitlist, officer, TalentTier.C)
    b1 = approved(waitlist, officer, TalentTier.B)
    a1 = approved(waitlist, officer, TalentTier.A)
    b2 = approved(waitlist, officer, TalentTier.B)
    assert waitlist.ordered() == [a1.id, b1.id, b2.id, c1.id]


def test_allocating_to_the_first_fitting_application_needs_no_reason() -> None:
    waitlist, officer = Waitlist(), caso()
    big = approved(waitlist, officer, TalentTier.A, household=5)
    small = approved(waitlist, officer, TalentTier.B, household=2)
    one_room = unit(rooms=1)
    small.allocate(one_room, waitlist, LEASE_END, TODAY, reason=None)
    assert small.status is ApplicationStatus.ALLOCATED and small.unit_id == one_room.id
    assert one_room.status is UnitStatus.ALLOCATED and one_room.application_id == small.id
    assert waitlist.ordered() == [big.id]
    allocated = small.collect_events()[-1]
    assert allocated.waitlist_position == 2  # type: ignore[attr-defined]
    assert allocated.passed_over == []  # type: ignore[attr-defined]


def test_allocating_past_an_earlier_fitting_application_needs_a_reason_and_records_it() -> None:
    waitlist, officer = Waitlist(), caso()
    first = approved(waitlist, officer, TalentTier.A)
    later = approved(waitlist, officer, TalentTier.C)
    flat = unit(rooms=2)
    with pytest.raises(AllocationOutOfOrder) as refused:
        later.allocate(flat, waitlist, LEASE_END, TODAY, reason=None)
    assert str(first.id) in refused.value.message
    assert flat.status is UnitStatus.AVAILABLE and waitlist.ordered() == [first.id, later.id]
    later.allocate(flat, waitlist, LEASE_END, TODAY, reason="申请人在附近医院值夜班")
    allocated = later.collect_events()[-1]
    assert allocated.waitlist_position == 2  # type: ignore[attr-defined]
    assert allocated.passed_over == [  # type: ignore[attr-defined]
        {"id": first.id, "tier": TalentTier.A, "waitlist_position": 1}
    ]
    assert allocated.reason == "申请人在附近医院值夜班"  # type: ignore[attr-defined]


def test_a_unit_too_small_or_taken_or_a_past_lease_end_refuses_the_allocation() -> None:
    waitlist, officer = Waitlist(), caso()
    case = approved(waitlist, officer, household=5)
    with pytest.raises(UnitDoesNotFit):
        case.allocate(unit(rooms=2), waitlist, LEASE_END, TODAY, None)
    taken = unit(rooms=3)
    taken.allocate(uuid4())
    with pytest.raises(UnitNotAvailable):
        case.allocate(taken, waitlist, LEASE_END, TODAY, None)
    with pytest.raises(DateNotAllowed):
        case.allocate(unit(rooms=3), waitlist, TODAY, TODAY, None)
    assert case.status is ApplicationStatus.APPROVED and waitlist.ordered() == [case.id]


def test_a_tenancy_moves_in_renews_and_moves_out_freeing_the_unit_and_the_caso() -> None:
    waitlist, officer = Waitlist(), caso()
    case, flat = approved(waitlist, officer), unit()
    case.allocate(flat, waitlist, LEASE_END, TODAY - timedelta(days=10), None)
    with pytest.raises(DateNotAllowed):
        case.move_in(flat, TODAY + timedelta(days=1), TODAY)
    case.move_in(flat, TODAY - timedelta(days=5), TODAY)
    assert flat.status is UnitStatus.OCCUPIED
    with pytest.raises(DateNotAllowed):
        case.renew_lease(LEASE_END)
    case.renew_lease(LEASE_END + timedelta(days=365))
    assert case.renewals == 1
    case.move_out(flat, TODAY, TODAY, officer)
    assert case.status is ApplicationStatus.ENDED
    assert flat.status is UnitStatus.AVAILABLE
    assert officer.held(OfficerRole.CASO) == []
    with pytest.raises(ApplicationNotInStatus):
        case.renew_lease(LEASE_END + timedelta(days=730))


def test_the_waitlist_and_an_allocation_survive_the_codec_in_events_and_snapshots() -> None:
    codec = Codec(DOMAIN_ENUMS)
    waitlist, officer = Waitlist(), caso()
    first = approved(waitlist, officer, TalentTier.A)
    later = approved(waitlist, officer, TalentTier.D)
    later.allocate(unit(), waitlist, LEASE_END, TODAY, "经批准")
    rebuilt: Waitlist | None = None
    for event in waitlist.collect_events():
        new = codec.encode(event)
        rebuilt = codec.decode(waitlist.id, event.originator_version, new.type, new.data).mutate(
            rebuilt
        )
    assert rebuilt is not None and rebuilt.ordered() == [first.id]
    snap = codec.encode_snapshot(waitlist)
    restored = codec.decode_snapshot(waitlist.id, waitlist.version, snap.type, snap.data)
    assert isinstance(restored, Waitlist) and restored.ordered() == [first.id]
    allocated = later.collect_events()[-1]
    new = codec.encode(allocated)
    decoded = codec.decode(later.id, allocated.originator_version, new.type, new.data)
    assert decoded.passed_over == [{"id": first.id, "tier": TalentTier.A, "waitlist_position": 1}]


def test_a_lease_ends_within_five_years_and_a_renewal_within_five_past_its_end() -> None:
    waitlist, officer = Waitlist(), caso()
    case, flat = approved(waitlist, officer), unit()
    with pytest.raises(InvalidValue, match="at most 5 years") as refused:
        case.allocate(flat, waitlist, date(9999, 12, 31), TODAY, None)
    assert refused.value.field == "leaseEnd"
    assert flat.status is UnitStatus.AVAILABLE
    case.allocate(flat, waitlist, date(2031, 11, 20), TODAY, None)
    with pytest.raises(InvalidValue, match="past the lease's end") as refused:
        case.renew_lease(date(2036, 11, 21))
    assert refused.value.field == "leaseEnd"
    case.renew_lease(date(2036, 11, 20))
    assert case.lease_end == date(2036, 11, 20)
