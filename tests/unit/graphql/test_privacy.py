from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from cso.graphql.privacy import mask_phone, masked_event_data, may_read_personal_data
from cso.services.identity import Principal, Role

OFFICER_ID = uuid4()


def principal(role: Role, sub: UUID | str = "00000000-0000-4000-8000-000000000001") -> Principal:
    return Principal(id=str(sub), role=role, name="Tester", dept="QA")


def test_a_mobile_number_keeps_its_first_three_and_last_four_digits() -> None:
    assert mask_phone("13812345678") == "138****5678"


def test_a_landline_is_masked_in_the_middle_too() -> None:
    assert mask_phone("020-87654321") == "020*****4321"


@pytest.mark.parametrize("phone", ["12345", "1-2-3-4-5", "1234567890", "87654321", "", "+-()"])
def test_a_number_of_fewer_than_eleven_digits_shows_none_of_them(phone: str) -> None:
    assert mask_phone(phone) == "*" * len(phone)


def test_the_mask_counts_digits_not_characters() -> None:
    assert mask_phone("+86 138 1234 5678") == "+86 1********5678"
    assert sum(c.isdigit() for c in mask_phone("1-3-8-1-2-3-4-5-6-7-8")) == 7


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AUDITOR])
def test_supervisors_and_auditors_read_every_phone(role: Role) -> None:
    assert may_read_personal_data(principal(role), OFFICER_ID)


def test_an_officer_reads_their_own_phone() -> None:
    assert may_read_personal_data(principal(Role.OFFICER, OFFICER_ID), OFFICER_ID)


def test_an_officer_does_not_read_another_officers_phone() -> None:
    assert not may_read_personal_data(principal(Role.OFFICER), OFFICER_ID)


def test_a_viewer_reads_no_phone_even_with_the_officers_id() -> None:
    assert not may_read_personal_data(principal(Role.VIEWER, OFFICER_ID), OFFICER_ID)


def test_a_sealed_phone_in_an_officers_events_is_shown_as_its_ciphertext() -> None:
    data = {"name": "李明", "phone": "pd1:c2VhbGVkIHBob25lIG51bWJlcg=="}
    assert masked_event_data(principal(Role.VIEWER), "Officer", OFFICER_ID, data) == data


def test_an_officers_legacy_plain_phone_in_events_shows_a_viewer_the_masked_phone() -> None:
    data = {"name": "李明", "phone": "13812345678"}
    masked = masked_event_data(principal(Role.VIEWER), "Officer", OFFICER_ID, data)
    assert masked == {"name": "李明", "phone": "138****5678"}


def test_other_streams_and_permitted_readers_see_event_data_as_it_is() -> None:
    data = {"phone": "13812345678"}
    assert masked_event_data(principal(Role.VIEWER), "Enterprise", OFFICER_ID, data) == data
    assert masked_event_data(principal(Role.AUDITOR), "Officer", OFFICER_ID, data) == data
