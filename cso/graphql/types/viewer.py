"""Viewer: who the bearer token says the caller is."""

from __future__ import annotations

import strawberry


@strawberry.type
class Viewer:
    id: strawberry.ID
    role: str
    name: str
    dept: str
