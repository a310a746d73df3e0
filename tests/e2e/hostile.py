"""Generated hostile input for the e2e fuzz suite: GraphQL operations from the schema
(hypothesis-graphql), mangled documents, raw bodies and WebSocket frames.

Examples are drawn up front (hypothesis runs sync; the server is async), then sent; what a
response may be is checked by `assert_answer`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import graphql
import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from hypothesis_graphql import strategies as gql

T = TypeVar("T")

SCHEMA = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text()
CODES = {"UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "INVALID_INPUT", "RULE_VIOLATED", "CONFLICT"}
# What a response must never show: internals (a traceback, SQL, the driver's words).
LEAKS = ("Traceback", 'File "', "asyncpg", "SELECT ", "INSERT ", "psycopg", "KeyError")

# Scalars of our own: valid values and near misses.
_odd_text = st.text(max_size=40) | st.sampled_from(["", "\x00", "9" * 400, "-0", "NaN", "1e999"])
SCALARS: dict[str, st.SearchStrategy[graphql.ValueNode]] = {
    "Date": (st.dates().map(str) | _odd_text).map(nodes.String),
    "DateTime": (st.datetimes().map(lambda d: d.isoformat() + "+08:00") | _odd_text).map(
        nodes.String
    ),
    "Decimal": (st.decimals(allow_nan=True, places=3).map(str) | _odd_text).map(nodes.String),
    "BigInt": st.integers(min_value=-(2**70), max_value=2**70).map(nodes.Int),
    "JSON": _odd_text.map(nodes.String),
}


def draw(strategy: st.SearchStrategy[T], count: int) -> list[T]:
    """`count` examples of `strategy` (fewer when it has fewer distinct ones)."""
    found: list[T] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: T) -> None:
        found.append(value)

    collect()
    return found


QUERIES, MUTATIONS = gql.queries, gql.mutations


def operations(kind: Callable[..., st.SearchStrategy[str]]) -> st.SearchStrategy[str]:
    """Valid documents of QUERIES or MUTATIONS, with hostile argument values."""
    return kind(SCHEMA, custom_scalars=SCALARS)


def mangled(document: str) -> st.SearchStrategy[str]:
    """A document cut, repeated, or sprinkled with fragments and aliases that do not fit."""
    return st.one_of(
        st.integers(0, len(document)).map(lambda n: document[:n]),
        st.just(document + " fragment F on Query { ...F }"),
        st.just(document.replace("{", "{ ...Nope ", 1)),
        st.just("query { " + " ".join(f"a{i}: __typename" for i in range(200)) + " }"),
        st.just("{" * 300 + "}" * 300),
        st.text(max_size=200),
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)

raw_bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries(
        {"query": json_values | st.text(max_size=50)},
        optional={
            "variables": json_values,
            "operationName": json_values,
            "extensions": json_values,
        },
    ).map(lambda v: json.dumps(v).encode()),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
)

frames = st.one_of(
    json_values.map(json.dumps),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["subscribe", "complete", "ping", "pong", "connection_init"])},
        optional={"id": json_values, "payload": json_values},
    ).map(json.dumps),
    st.text(max_size=100),
)

inits = st.fixed_dictionaries(
    {"type": st.just("connection_init")},
    optional={
        "payload": st.dictionaries(
            st.sampled_from(["Authorization", "authorization"]),
            json_values | st.text(max_size=60).map(lambda t: "Bearer " + t),
        )
        | json_values
    },
)


def assert_answer(response: httpx.Response) -> dict[str, Any]:
    """A response to hostile input: no 5xx, JSON, every error coded, nothing internal shown."""
    assert response.status_code < 500, response.text[:500]
    for leak in LEAKS:
        assert leak not in response.text, response.text[:500]
    if response.status_code == 405 and not response.content:
        return {}
    body: dict[str, Any] = response.json()
    for error in body.get("errors") or []:
        assert error["extensions"]["code"] in CODES, error
    return body
