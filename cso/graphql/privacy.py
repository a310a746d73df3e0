"""Personal data (API.md): masked for those the policy does not let read it unmasked."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from cso.services import policy
from cso.services.identity import Principal
from cso.services.personal_data import PREFIX

# Personal fields are sealed in the events (cso.services.personal_data): a history shows
# only their ciphertext, which needs no masking. Officers' phones registered before phones
# were sealed are plain text in their events: those are masked.
PERSONAL_FIELDS = {"Officer": ("phone",)}


# API.md's mask, `138****5678`: 3 digits shown first, 4 last, at least 4 hidden between.
PHONE_HEAD_DIGITS = 3
PHONE_TAIL_DIGITS = 4
PHONE_MIN_DIGITS = 11


def mask_phone(phone: str) -> str:
    """Show the first 3 and last 4 digits (`138****5678`, `020*****4321`); everything
    between, separators included, is `*`. The mask counts digits, not characters: a number
    of fewer than 11 digits (`1-2-3-4-5`) would show too much of itself and is all `*`."""
    digits = [i for i, char in enumerate(phone) if char.isdigit()]
    if len(digits) < PHONE_MIN_DIGITS:
        return "*" * len(phone)
    head_end = digits[PHONE_HEAD_DIGITS - 1] + 1
    tail_start = digits[-PHONE_TAIL_DIGITS]
    return phone[:head_end] + "*" * (tail_start - head_end) + phone[tail_start:]


def mask_id_number(id_number: str) -> str:
    """Keep the first 4 and last 4 characters (`4401**********1234`)."""
    if len(id_number) <= 8:
        return "*" * len(id_number)
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def may_read_personal_data(viewer: Principal, officer_id: UUID) -> bool:
    """An officer's own data: see `policy.may_read_personal_data`."""
    return policy.may_read_personal_data(viewer, officer_id)


def masked_event_data(viewer: Principal, stream_type: str, stream_id: UUID, data: Any) -> Any:
    """Event data with personal fields masked, for those who may not read them."""
    fields = PERSONAL_FIELDS.get(stream_type, ())
    if not fields or not isinstance(data, dict) or may_read_personal_data(viewer, stream_id):
        return data
    return {
        key: mask_phone(value) if key in fields and _legacy_plain(value) else value
        for key, value in data.items()
    }


def _legacy_plain(value: object) -> bool:
    return isinstance(value, str) and not value.startswith(PREFIX)
