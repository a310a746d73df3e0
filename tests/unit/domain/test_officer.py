from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

import pytest

from cso.domain.enums import DOMAIN_ENUMS, OfficerRole
from cso.domain.errors import InvalidValue
from cso.domain.officer import (
    Officer,
    OfficerAlreadyInactive,
    OfficerCannotServe,
    OfficerInactive,
    PostingAlreadyActive,
    PostingNotActive,
    RoleInUse,
)
from cso.eventstore import Codec

MakeOfficer = Callable[..., Officer]
SECRETARY = [OfficerRole.FIRST_SECRETARY]


def test_a_registered_officer_is_active_with_the_given_details() -> None:
    officer = Officer.register(
        name=" Wang Fang ",
        department="Talent Office",
        roles=[OfficerRole.CASO, OfficerRole.CSO],
        party_member=True,
        phone="020-8888 1234",
    )
    assert officer.name == "Wang Fang"
    assert officer.department == "Talent Office"
    assert officer.roles == [OfficerRole.CSO, OfficerRole.CASO]
    assert officer.active
    assert officer.active_posting_id is None


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("name", {"name": " "}),
        ("department", {"department": ""}),
        ("phone", {"phone": "call me"}),
        ("phone", {"phone": "123"}),
        ("partyMember", {"party_member": "yes"}),
        ("roles", {"roles": ["MAYOR"]}),
    ],
)
def test_an_officer_with_a_missing_or_malformed_detail_is_refused(
    field: str, changes: dict[str, object]
) -> None:
    details: dict[str, object] = {
        "name": "Li Wei",
        "department": "Investment Promotion Bureau",
        "roles": [OfficerRole.CSO],
        "party_member": True,
        "phone": "13800001234",
    }
    with pytest.raises(InvalidValue) as refused:
        Officer.register(**{**details, **changes})  # type: ignore[arg-type]
    assert refused.value.field == field


def test_an_officer_may_be_registered_without_roles_but_then_serves_nowhere(
    make_officer: MakeOfficer,
) -> None:
    officer = make_officer(roles=[])
    assert officer.roles == []
    assert not any(officer.can_serve_as(role) for role in OfficerRole)


def test_repeated_roles_are_recorded_once_in_enum_order(make_officer: MakeOfficer) -> None:
    officer = make_officer(roles=[OfficerRole.FIRST_SECRETARY, OfficerRole.CSO, "CSO"])
    assert officer.roles == [OfficerRole.CSO, OfficerRole.FIRST_SECRETARY]


def test_an_active_party_member_with_the_role_can_serve(make_officer: MakeOfficer) -> None:
    officer = make_officer(roles=[OfficerRole.CSO])
    assert officer.can_serve_as(OfficerRole.CSO)
    officer.ensure_can_serve_as(OfficerRole.CSO)


def test_an_officer_without_the_role_cannot_serve(make_officer: MakeOfficer) -> None:
    officer = make_officer(roles=[OfficerRole.CSO])
    assert not officer.can_serve_as(OfficerRole.CASO)
    with pytest.raises(OfficerCannotServe, match="does not hold the CASO role"):
        officer.ensure_can_serve_as(OfficerRole.CASO)


def test_an_officer_who_is_not_a_party_member_cannot_serve(make_officer: MakeOfficer) -> None:
    officer = make_officer(party_member=False)
    assert not officer.can_serve_as(OfficerRole.CSO)
    with pytest.raises(OfficerCannotServe, match="is not a party member"):
        officer.ensure_can_serve_as(OfficerRole.CSO)


def test_an_inactive_officer_cannot_serve(make_officer: MakeOfficer) -> None:
    officer = make_officer()
    officer.deactivate()
    assert not officer.can_serve_as(OfficerRole.CSO)
    with pytest.raises(OfficerCannotServe, match="is not active"):
        officer.ensure_can_serve_as(OfficerRole.CSO)


def test_the_refusal_names_every_failed_condition(make_officer: MakeOfficer) -> None:
    officer = make_officer(roles=[], party_member=False)
    with pytest.raises(OfficerCannotServe) as refused:
        officer.ensure_can_serve_as(OfficerRole.CSO)
    assert "is not a party member and does not hold the CSO role" in str(refused.value)


def test_the_reason_an_officer_cannot_serve_is_told_and_none_when_they_can(
    make_officer: MakeOfficer,
) -> None:
    officer = make_officer(roles=[OfficerRole.CSO])
    assert officer.why_cannot_serve_as(OfficerRole.CSO) is None
    officer.change_roles([OfficerRole.CASO])
    refusal = officer.why_cannot_serve_as(OfficerRole.CSO)
    assert refusal is not None and "does not hold the CSO role" in refusal


def test_an_assignment_as_cso_is_recorded_on_the_officer_with_the_project(
    make_officer: MakeOfficer,
) -> None:
    officer = make_officer(roles=[OfficerRole.CSO])
    officer.collect_events()
    project_id = uuid4()
    officer.assign_as_cso(project_id)
    [recorded] = officer.collect_events()
    assert type(recorded).__name__ == "AssignedAsCso"
    assert recorded.project_id == project_id  # type: ignore[attr-defined]
    assert officer.version == 2


@pytest.mark.parametrize(
    ("prepare", "failed"),
    [
        (lambda officer: officer.deactivate(), "is not active"),
        (lambda officer: officer.change_roles([OfficerRole.CASO]), "does not hold the CSO role"),
    ],
)
def test_an_officer_who_cannot_serve_as_cso_is_not_assigned_as_cso(
    make_officer: MakeOfficer, prepare: Callable[[Officer], None], failed: str
) -> None:
    officer = make_officer(roles=[OfficerRole.CSO])
    prepare(officer)
    version = officer.version
    with pytest.raises(OfficerCannotServe, match=failed):
        officer.assign_as_cso(uuid4())
    assert officer.version == version


def test_roles_can_be_changed(make_officer: MakeOfficer) -> None:
    officer = make_officer(roles=[OfficerRole.CSO])
    officer.change_roles([OfficerRole.CASO])
    assert officer.roles == [OfficerRole.CASO]
    assert officer.can_serve_as(OfficerRole.CASO)
    assert not officer.can_serve_as(OfficerRole.CSO)


def test_changing_roles_to_the_current_roles_records_nothing(make_officer: MakeOfficer) -> None:
    officer = make_officer(roles=[OfficerRole.CSO])
    version = officer.version
    officer.change_roles([OfficerRole.CSO, OfficerRole.CSO])
    assert officer.version == version


def test_the_roles_of_an_inactive_officer_cannot_change(make_officer: MakeOfficer) -> None:
    officer = make_officer()
    officer.deactivate()
    with pytest.raises(OfficerInactive):
        officer.change_roles([OfficerRole.CASO])


def test_an_officer_is_deactivated_once(make_officer: MakeOfficer) -> None:
    officer = make_officer()
    officer.deactivate()
    assert not officer.active
    with pytest.raises(OfficerAlreadyInactive, match="already inactive"):
        officer.deactivate()


def test_a_first_secretary_can_begin_and_end_a_posting(make_officer: MakeOfficer) -> None:
    officer = make_officer(roles=SECRETARY)
    posting_id = uuid4()
    officer.begin_posting(posting_id)
    assert officer.active_posting_id == posting_id
    officer.end_posting(posting_id)
    assert officer.active_posting_id is None


def test_only_an_officer_who_can_serve_as_first_secretary_is_posted(
    make_officer: MakeOfficer,
) -> None:
    with pytest.raises(OfficerCannotServe, match="FIRST_SECRETARY"):
        make_officer(roles=[OfficerRole.CSO]).begin_posting(uuid4())


def test_an_officer_holds_at_most_one_active_posting(make_officer: MakeOfficer) -> None:
    officer = make_officer(roles=SECRETARY)
    officer.begin_posting(uuid4())
    with pytest.raises(PostingAlreadyActive, match="at most one"):
        officer.begin_posting(uuid4())


def test_after_a_posting_ends_another_may_begin(make_officer: MakeOfficer) -> None:
    officer = make_officer(roles=SECRETARY)
    first, second = uuid4(), uuid4()
    officer.begin_posting(first)
    officer.end_posting(first)
    officer.begin_posting(second)
    assert officer.active_posting_id == second


def test_only_the_active_posting_can_end(make_officer: MakeOfficer) -> None:
    officer = make_officer(roles=SECRETARY)
    with pytest.raises(PostingNotActive):
        officer.end_posting(uuid4())
    officer.begin_posting(uuid4())
    with pytest.raises(PostingNotActive):
        officer.end_posting(uuid4())


def test_a_posted_officer_keeps_the_first_secretary_role(make_officer: MakeOfficer) -> None:
    officer = make_officer(roles=[OfficerRole.CSO, OfficerRole.FIRST_SECRETARY])
    officer.begin_posting(uuid4())
    with pytest.raises(
        RoleInUse, match="FIRST_SECRETARY role can be removed only after the posting ends"
    ):
        officer.change_roles([OfficerRole.CSO])
    officer.change_roles([OfficerRole.FIRST_SECRETARY])
    assert officer.roles == [OfficerRole.FIRST_SECRETARY]


def test_a_posted_officer_cannot_be_deactivated(make_officer: MakeOfficer) -> None:
    officer = make_officer(roles=SECRETARY)
    officer.begin_posting(uuid4())
    with pytest.raises(RoleInUse, match="deactivated only after the posting ends"):
        officer.deactivate()
    assert officer.active


def test_the_cso_of_an_open_project_can_be_neither_deactivated_nor_stripped_of_the_role(
    make_officer: MakeOfficer,
) -> None:
    officer = make_officer(roles=[OfficerRole.CSO, OfficerRole.CASO])
    project_id = uuid4()
    officer.assign_as_cso(project_id)
    version = officer.version
    with pytest.raises(RoleInUse, match=str(project_id)):
        officer.deactivate()
    with pytest.raises(RoleInUse, match="CSO role can be removed"):
        officer.change_roles([OfficerRole.CASO])
    assert officer.version == version
    officer.change_roles([OfficerRole.CSO])  # other roles may go


def test_an_officer_who_released_every_case_can_be_deactivated(
    make_officer: MakeOfficer,
) -> None:
    officer = make_officer()
    project_id = uuid4()
    officer.assign_as_cso(project_id)
    officer.release_cso_case(project_id)
    assert officer.cso_project_ids == []
    officer.change_roles([])
    officer.deactivate()
    assert not officer.active


def test_a_caso_case_is_taken_and_released_with_events_of_its_own(
    make_officer: MakeOfficer,
) -> None:
    officer = make_officer(roles=[OfficerRole.CASO])
    officer.collect_events()
    application_id = uuid4()
    officer.take_case(OfficerRole.CASO, application_id)
    assert officer.held(OfficerRole.CASO) == [application_id]
    officer.release_case(OfficerRole.CASO, application_id)
    assert officer.held(OfficerRole.CASO) == []
    assert [type(e).__name__ for e in officer.collect_events()] == ["CaseTaken", "CaseReleased"]


def test_only_an_officer_who_can_serve_as_caso_takes_a_housing_case(
    make_officer: MakeOfficer,
) -> None:
    with pytest.raises(OfficerCannotServe, match="does not hold the CASO role"):
        make_officer(roles=[OfficerRole.CSO]).take_case(OfficerRole.CASO, uuid4())


def test_the_caso_of_open_applications_can_be_neither_deactivated_nor_stripped_of_the_role(
    make_officer: MakeOfficer,
) -> None:
    officer = make_officer(roles=[OfficerRole.CSO, OfficerRole.CASO])
    application_id = uuid4()
    officer.take_case(OfficerRole.CASO, application_id)
    with pytest.raises(RoleInUse, match=f"CASO of open housing applications \\({application_id}"):
        officer.deactivate()
    with pytest.raises(RoleInUse, match="CASO role can be removed only after"):
        officer.change_roles([OfficerRole.CSO])
    officer.change_roles([OfficerRole.CASO])  # the CSO role holds nothing and may go


def test_cases_are_kept_by_role_and_a_posting_is_one_of_them(make_officer: MakeOfficer) -> None:
    officer = make_officer(roles=list(OfficerRole))
    project_id, application_id, posting_id = uuid4(), uuid4(), uuid4()
    officer.take_case(OfficerRole.CSO, project_id)
    officer.take_case(OfficerRole.CASO, application_id)
    officer.take_case(OfficerRole.FIRST_SECRETARY, posting_id)
    assert officer.held(OfficerRole.CSO) == officer.cso_project_ids == [project_id]
    assert officer.held(OfficerRole.CASO) == [application_id]
    assert officer.held(OfficerRole.FIRST_SECRETARY) == [posting_id]
    assert officer.active_posting_id == posting_id


def test_an_officer_snapshot_taken_before_cases_were_kept_by_role_is_upcast() -> None:
    project_id, posting_id = uuid4(), uuid4()
    state: dict[str, object] = {"cso_project_ids": [project_id], "active_posting_id": posting_id}
    Officer.upcast_v1_v2(state)
    assert state == {"_cases": {"CSO": [project_id], "FIRST_SECRETARY": [posting_id]}}


def test_an_officer_holding_cases_survives_a_snapshot_round_trip(
    make_officer: MakeOfficer,
) -> None:
    codec = Codec(DOMAIN_ENUMS)
    officer = make_officer(roles=list(OfficerRole))
    officer.take_case(OfficerRole.CSO, uuid4())
    officer.take_case(OfficerRole.CASO, uuid4())
    state = codec.encode_snapshot(officer)
    restored = codec.decode_snapshot(officer.id, officer.version, state.type, state.data)
    assert isinstance(restored, Officer)
    assert [restored.held(role) for role in OfficerRole] == [officer.held(r) for r in OfficerRole]
