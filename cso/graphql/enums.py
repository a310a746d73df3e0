"""The API's enums (API.md), registered from the domain's own: resolvers return domain members."""

from __future__ import annotations

from enum import Enum

import strawberry

from cso.domain.enums import (
    DOMAIN_ENUMS,
    Milestone,
    OfficerRole,
    PartyOrganizationKind,
    ProjectOutcome,
    ProjectStage,
    RequestCategory,
    RequestStatus,
    ServiceItemStatus,
    ServiceKind,
)

# The domain's enums are the API's: registered once here, so resolvers return their members.
# An enum no field uses yet (housing's, say) stays out of the schema until one does.
for _domain_enum in DOMAIN_ENUMS:
    strawberry.enum(_domain_enum)


@strawberry.enum(description="Which way a list is sorted.")
class SortDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.enum(description="What a project list is sorted by; ties go by id.")
class ProjectOrderField(Enum):
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    NAME = "NAME"
    SIGNED_ON = "SIGNED_ON"
    INVESTMENT = "INVESTMENT"


@strawberry.enum(description="What an officer or enterprise list is sorted by; ties go by id.")
class NameOrderField(Enum):
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    NAME = "NAME"


__all__ = [
    "Milestone",
    "NameOrderField",
    "OfficerRole",
    "PartyOrganizationKind",
    "ProjectOrderField",
    "ProjectOutcome",
    "ProjectStage",
    "RequestCategory",
    "RequestStatus",
    "ServiceItemStatus",
    "ServiceKind",
    "SortDirection",
]
