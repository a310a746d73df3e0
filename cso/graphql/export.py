"""The schema in SDL, as checked in at the project root (`schema.graphql`)."""

from __future__ import annotations

from cso.graphql.schema import build_schema


def export_schema() -> str:
    return build_schema().as_str() + "\n"
