"""Opaque keyset cursors and page sizes for every connection (API.md: Relay connections).

A cursor names the ordering it was made for and the sort key of the row it points at;
the next page is the rows strictly after that key, never an OFFSET.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from cso.services.errors import InvalidInput

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

Key = tuple[object, ...]


def page_size(first: int | None) -> int:
    """`first` as a page size: 20 when absent; 0 to 100, or INVALID_INPUT."""
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 0 or first > MAX_PAGE_SIZE:
        raise InvalidInput(f"first must be between 0 and {MAX_PAGE_SIZE}, not {first}", "first")
    return first


def encode_cursor(ordering: str, key: Sequence[object]) -> str:
    """`key` holds JSON values only (strings, numbers); the caller converts the rest."""
    raw = orjson.dumps([ordering, *key])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, ordering: str, size: int) -> list[object]:
    """The `size` key values a cursor holds, if it was made for `ordering`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = orjson.loads(raw)
    except (ValueError, binascii.Error, orjson.JSONDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != size + 1 or values[0] != ordering:
        raise InvalidInput("after is not a cursor of this list in this order", "after")
    return values[1:]


@dataclass(frozen=True, slots=True)
class Page:
    """A requested page: how many rows, and the sort key to start after (None: from the top)."""

    size: int
    after: list[object] | None

    @property
    def fetch(self) -> int:
        """Rows to fetch: one more than the page shows, to know whether another page follows."""
        return self.size + 1
