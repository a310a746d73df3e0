"""Compiled plans answer exactly what graphql-core's own path answers: random documents over
the read fields of the demo district, run with plans and without, give the same bytes of
`data` and the same errors."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    is_leaf_type,
)
from hypothesis import strategies as st
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from cso.app import open_runtime
from cso.database import scratch_database
from cso.graphql.execution import PlannedExecutor
from cso.graphql.schema import build_schema
from cso.runtime import Runtime
from cso.seed import seed
from cso.settings import Settings
from tests.e2e.hostile import draw
from tests.integration.graphql.support import InProcess

# Root fields and their arguments (`$id`: an id the demo district has, of that type).
ROOTS = {
    "projects(first: 12)": "ProjectConnection",
    "project(id: $project)": "Project",
    "enterprises(first: 6)": "EnterpriseConnection",
    "enterprise(id: $enterprise)": "Enterprise",
    "officers(first: 6)": "OfficerConnection",
    "enterpriseRequests(first: 8)": "EnterpriseRequestConnection",
    "housingUnits(first: 6)": "HousingUnitConnection",
    "housingApplications(first: 6)": "HousingApplicationConnection",
    "industryChains": "IndustryChain",
}
# Read by other suites and slow to answer (every event of a stream): left out here.
LEFT_OUT = {"history", "events"}
IDS = """{
  projects(first: 1) { nodes { id } }
  enterprises(first: 1) { nodes { id } }
}"""


def _named(field_type: GraphQLOutputType) -> GraphQLOutputType:
    while isinstance(field_type, GraphQLNonNull | GraphQLList):
        field_type = field_type.of_type
    return field_type


@dataclass
class Document:
    """A drawn document's text, built up with its named fragments."""

    fragments: list[str]


@st.composite
def selection(draw_: Any, schema: GraphQLSchema, type_name: str, depth: int, doc: Any) -> str:
    """A random selection set of `type_name`: plain, aliased and repeated fields,
    `__typename`, inline fragments and named fragments on the type."""
    object_type = schema.type_map[type_name]
    assert isinstance(object_type, GraphQLObjectType)
    choices = [
        name
        for name, field in object_type.fields.items()
        if name not in LEFT_OUT
        and not any(isinstance(arg.type, GraphQLNonNull) for arg in field.args.values())
        and (depth > 0 or is_leaf_type(_named(field.type)))
    ]
    names = draw_(st.lists(st.sampled_from(choices), min_size=1, max_size=5))
    parts: list[str] = []
    for n, name in enumerate(names):
        inner = _named(object_type.fields[name].type)
        text = name
        if draw_(st.booleans()):
            text = f"a{n}_{name}: {name}"
        if not is_leaf_type(inner):
            text += " { " + draw_(selection(schema, inner.name, depth - 1, doc)) + " }"
        parts.append(text)
    if draw_(st.booleans()):
        parts.insert(draw_(st.integers(0, len(parts))), "__typename")
    body = " ".join(parts)
    wrap = draw_(st.sampled_from(["plain", "inline", "fragment"]))
    if wrap == "inline":
        return f"... on {type_name} {{ {body} }}"
    if wrap == "fragment":
        name = f"F{len(doc.fragments)}"
        doc.fragments.append(f"fragment {name} on {type_name} {{ {body} }}")
        return f"...{name}"
    return body


@st.composite
def documents(draw_: Any, schema: GraphQLSchema) -> str:
    """A query of one to three root fields with random selections, and its fragments."""
    doc = Document([])
    roots = draw_(st.lists(st.sampled_from(sorted(ROOTS)), min_size=1, max_size=3, unique=True))
    fields = [
        f"r{n}: {root} {{ {draw_(selection(schema, ROOTS[root], 3, doc))} }}"
        for n, root in enumerate(roots)
    ]
    used = [v for v in ("project", "enterprise") if any(f"${v}" in root for root in roots)]
    variables = [f"${v}: ID!" for v in used]
    head = f"query({', '.join(variables)})" if variables else "query"
    return " ".join([f"{head} {{ {' '.join(fields)} }}", *doc.fragments])


@pytest.fixture(scope="module")
async def demo(server_url: str) -> AsyncIterator[Runtime]:
    """A runtime on a database holding the demo district, projected."""
    async with scratch_database(server_url, "cso_plan") as url:
        settings = Settings.from_env({"CSO_DATABASE_URL": url, "CSO_JWT_SECRET": "x" * 32})
        async with open_runtime(settings) as runtime:
            await seed(runtime.application, today=runtime.today())
            token = (await runtime.store.newest()).token()
            assert await runtime.projections.wait_for(token, 120)
            yield runtime


def _answer(reply: Any) -> tuple[str, Any]:
    return json.dumps(reply.body.get("data"), ensure_ascii=False), reply.body.get("errors")


async def test_random_documents_answer_the_same_with_plans_as_without(demo: Runtime) -> None:
    planned = InProcess(build_schema(), demo)
    standard_schema = build_schema()
    standard_schema.execution_context_class = StrawberryGraphQLCoreExecutionContext
    standard = InProcess(standard_schema, demo)
    ids = (await standard(IDS)).data
    variables = {
        "project": ids["projects"]["nodes"][0]["id"],
        "enterprise": ids["enterprises"]["nodes"][0]["id"],
    }
    examples = draw(documents(planned.schema._schema), 150)
    assert len(examples) > 100
    for document in examples:
        used = {k: v for k, v in variables.items() if f"${k}" in document}
        expected = _answer(await standard(document, used))
        assert _answer(await planned(document, used)) == expected, document
    executor: type[PlannedExecutor] = planned.schema.execution_context_class
    compiled = [
        plan
        for operation in executor.plan_cache._operations.values()
        for plan in operation.plans.values()
        if plan is not None
    ]
    assert len(compiled) > 100  # the plans did run, on most documents


async def test_the_project_page_is_completed_by_one_plan(demo: Runtime) -> None:
    planned = InProcess(build_schema(), demo)
    page = (
        "{ projects(first: 20) { edges { node { id name stage cso { name } "
        "enterprise { name } requests { status } } } } }"
    )
    standard_schema = build_schema()
    standard_schema.execution_context_class = StrawberryGraphQLCoreExecutionContext
    expected = _answer(await InProcess(standard_schema, demo)(page))
    assert _answer(await planned(page)) == expected
    assert _answer(await planned(page)) == expected  # from the cached plan
    executor: type[PlannedExecutor] = planned.schema.execution_context_class
    (operation,) = executor.plan_cache._operations.values()
    page_type = planned.schema._schema.query_type.fields["projects"].type
    root = [plan for key, plan in operation.plans.items() if key[0] == id(page_type)]
    assert root and root[0] is not None, "the page's root field has no plan"
