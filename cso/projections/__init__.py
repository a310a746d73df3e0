"""Projections (DESIGN §3): the read models, and the runner that keeps them in step."""

from __future__ import annotations

from cso.projections import (
    chains,
    enterprises,
    housing,
    officers,
    personal_data,
    postings,
    projects,
)
from cso.projections.base import Projection

ALL_PROJECTIONS: list[Projection] = [
    officers.PROJECTION,
    chains.PROJECTION,
    enterprises.PROJECTION,
    projects.PROJECTION,
    housing.PROJECTION,
    personal_data.PROJECTION,
    postings.PROJECTION,
]

__all__ = ["ALL_PROJECTIONS", "Projection"]
