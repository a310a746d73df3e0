from __future__ import annotations

from pathlib import Path

import pytest
import strawberry
from graphql import GraphQLEnumType, GraphQLObjectType

from cso.graphql.export import export_schema
from cso.graphql.scalars import SCALAR_OVERRIDES, BigInt
from cso.graphql.schema import build_schema
from cso.graphql.types.event import ProjectionStatus, readable_type

ROOT = Path(__file__).resolve().parents[3]

# API.md's names for the areas built so far: frontends are built against them.
QUERIES = [
    "me", "officer", "officers", "enterprise", "enterprises", "industryChains", "project",
    "projects", "dashboard", "streamHistory", "auditLog", "eventsByCorrelation", "verifyStream",
    "projectionStatus",
]  # fmt: skip
MUTATIONS = [
    "registerOfficer", "changeOfficerRoles", "deactivateOfficer", "establishChain",
    "designateChainMaster", "registerEnterprise", "recordPartyOrganization", "registerProject",
    "assignCso", "setServicePlan", "completeServiceItem", "recordService", "reachMilestone",
    "raiseRequest", "referRequest", "resolveRequest", "rateRequest", "closeProject",
]  # fmt: skip
SUBSCRIPTIONS = ["projectChanged", "eventAppended"]
ENUMS = {
    "OfficerRole": ["CSO", "CASO", "FIRST_SECRETARY"],
    "PartyOrganizationKind": ["NONE", "BRANCH", "GENERAL_BRANCH", "COMMITTEE"],
    "Milestone": [
        "SIGNED", "SITE_SELECTED", "LAND_DELIVERED", "CONSTRUCTION_STARTED", "COMPLETED",
        "OPERATING",
    ],
    "ProjectStage": [
        "SIGNED", "SITE_SELECTED", "LAND_DELIVERED", "CONSTRUCTION_STARTED", "COMPLETED",
        "OPERATING", "CLOSED",
    ],
    "ServiceKind": ["VISIT", "CONSULTATION", "TUTORING", "PROCEDURE_AGENCY", "COORDINATION"],
    "RequestCategory": ["PERMIT", "LAND", "POLICY", "TALENT", "FINANCING", "OTHER"],
    "RequestStatus": ["OPEN", "REFERRED", "RESOLVED"],
    "ProjectOutcome": ["OPERATING", "CANCELLED", "RELOCATED"],
}  # fmt: skip
AGGREGATE_TYPES = ["Officer", "Enterprise", "IndustryChain", "Project"]


def test_schema_graphql_at_the_project_root_is_up_to_date() -> None:
    checked_in = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert checked_in == export_schema(), "run `cso schema > schema.graphql` and commit it"


def _root(name: str) -> GraphQLObjectType:
    root = build_schema()._schema.get_type(name)
    assert isinstance(root, GraphQLObjectType)
    return root


def test_the_schema_offers_every_query_mutation_and_subscription_of_the_contract() -> None:
    assert set(QUERIES) <= set(_root("Query").fields)
    assert set(MUTATIONS) <= set(_root("Mutation").fields)
    assert set(SUBSCRIPTIONS) <= set(_root("Subscription").fields)


@pytest.mark.parametrize(("name", "values"), ENUMS.items())
def test_each_enum_has_the_contracts_values_in_order(name: str, values: list[str]) -> None:
    enum = build_schema()._schema.get_type(name)
    assert isinstance(enum, GraphQLEnumType)
    assert list(enum.values) == values


@pytest.mark.parametrize("name", AGGREGATE_TYPES)
def test_every_aggregate_type_has_identity_version_times_and_history(name: str) -> None:
    fields = _root(name).fields
    assert {"id", "version", "createdAt", "updatedAt", "history"} <= set(fields)


def test_every_mutation_takes_one_input_with_version_key_and_reason() -> None:
    for name, mutation in _root("Mutation").fields.items():
        assert list(mutation.args) == ["input"], name
        input_type = mutation.args["input"].type.of_type
        assert {"expectedVersion", "idempotencyKey", "reason"} <= set(input_type.fields), name
        assert "consistencyToken" in mutation.type.of_type.fields, name


def test_an_events_type_reads_as_its_class_without_the_module() -> None:
    assert readable_type("cso.domain.project:Project.CsoAssigned") == "Project.CsoAssigned"


@pytest.mark.parametrize(
    ("type_name", "field"),
    [("Event", "position"), ("ProjectionStatus", "position"), ("ProjectionStatus", "lagEvents")],
)
def test_the_logs_positions_and_lags_are_big_ints(type_name: str, field: str) -> None:
    assert str(_root(type_name).fields[field].type) == "BigInt!"


async def test_a_position_beyond_32_bits_is_written_as_a_json_number() -> None:
    @strawberry.type
    class Query:
        @strawberry.field
        def status(self) -> ProjectionStatus:
            return ProjectionStatus(
                name="projects",
                position=BigInt(2**40),
                lag_events=BigInt(2**33),
                lag_seconds=0.0,
                running=True,
                last_error=None,
                failures=0,
            )

    schema = strawberry.Schema(query=Query, scalar_overrides=SCALAR_OVERRIDES)
    result = await schema.execute("{ status { position lagEvents } }")
    assert result.errors is None
    assert result.data == {"status": {"position": 2**40, "lagEvents": 2**33}}
