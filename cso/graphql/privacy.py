"""Personal data (API.md): an officer's phone is masked for viewers and for other officers."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from cso.services.identity import Principal, Role

PERSONAL_FIELDS = {"Officer": ("phone",)}


def mask_phone(phone: str) -> str:
    """Keep the first 3 and last 4 characters (`138****5678`); shorter numbers keep the last 2."""
    if len(phone) >= 8:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(len(phone) - 2, 0) + phone[-2:]


def may_read_personal_data(viewer: Principal, officer_id: UUID) -> bool:
    """Supervisors and auditors read everything; an officer reads their own."""
    if viewer.role in (Role.SUPERVISOR, Role.AUDITOR):
        return True
    return viewer.role is Role.OFFICER and viewer.officer_id == officer_id


def masked_event_data(viewer: Principal, stream_type: str, stream_id: UUID, data: Any) -> Any:
    """Event data with personal fields masked, for those who may not read them."""
    fields = PERSONAL_FIELDS.get(stream_type, ())
    if not fields or not isinstance(data, dict) or may_read_personal_data(viewer, stream_id):
        return data
    return {
        key: mask_phone(value) if key in fields and isinstance(value, str) else value
        for key, value in data.items()
    }
