from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.utils import get_topic, resolve_topic

from cso.domain.officer import Officer
from cso.domain.project import Project
from cso.eventstore import RecordedEvent
from cso.projections import ALL_PROJECTIONS
from cso.projections.base import Projection, event_class
from cso.projections.lock import lock_key


async def nothing(conn: Any, event: Any, recorded: RecordedEvent) -> None:
    return None


def test_a_handler_is_registered_under_each_named_events_topic() -> None:
    projection = Projection("test")
    projection.on(Officer, "Registered", "Deactivated")(nothing)

    assert set(projection.handlers) == {
        "cso.domain.officer:Officer.Registered",
        "cso.domain.officer:Officer.Deactivated",
    }
    assert projection.handles(get_topic(event_class(Officer, "Registered")))


def test_an_event_name_the_aggregate_does_not_have_is_refused_at_registration() -> None:
    with pytest.raises(LookupError, match="Officer has no event class Promoted"):
        Projection("test").on(Officer, "Promoted")


def test_two_handlers_for_one_event_are_refused_also_across_included_parts() -> None:
    projection, part = Projection("test"), Projection("test")
    projection.on(Project, "Closed")(nothing)
    part.on(Project, "Closed")(nothing)

    with pytest.raises(ValueError, match="two handlers"):
        projection.include(part)


def test_every_projection_has_its_own_name_and_handles_only_domain_events() -> None:
    names = [projection.name for projection in ALL_PROJECTIONS]
    assert names == [
        "officers",
        "chains",
        "enterprises",
        "projects",
        "housing",
        "personal_data",
        "postings",
    ]
    for projection in ALL_PROJECTIONS:
        for topic in projection.handlers:
            assert get_topic(resolve_topic(topic)) == topic


def test_the_projects_projection_handles_every_project_event() -> None:
    [projects] = [p for p in ALL_PROJECTIONS if p.name == "projects"]
    events = {
        name
        for name, value in vars(Project).items()
        if isinstance(value, type) and issubclass(value, Project.Event)
    } - {"Event", "Created"}
    handled = {topic.rsplit(".", 1)[1] for topic in projects.handlers if ":Project." in topic}
    assert handled == events


def test_lock_keys_are_stable_distinct_and_fit_a_bigint() -> None:
    keys = [lock_key(projection.name) for projection in ALL_PROJECTIONS]
    assert keys == [lock_key(projection.name) for projection in ALL_PROJECTIONS]
    assert len(set(keys)) == len(keys)
    assert all(0 <= key < 2**63 for key in keys)


def test_a_keyed_statement_s_scope_is_the_projection_s_tables_its_text_names() -> None:
    projection = Projection("scoped", tables=("rm_things", "rm_thing_parts"))
    projection.keyed_by("UPDATE rm_things SET n = 1 WHERE id = $1")
    projection.keyed_by(
        "INSERT INTO rm_thing_parts SELECT $1, n FROM rm_things WHERE id = $1", on=(1,)
    )

    assert projection.scopes() == {
        "UPDATE rm_things SET n = 1 WHERE id = $1": ("rm_things",),
        "INSERT INTO rm_thing_parts SELECT $1, n FROM rm_things WHERE id = $1": (
            "rm_things",
            "rm_thing_parts",
        ),
    }


def test_no_statement_is_scoped_when_one_keyed_statement_names_none_of_the_tables() -> None:
    projection = Projection("unscoped", tables=("rm_things",))
    projection.keyed_by("UPDATE rm_things SET n = 1 WHERE id = $1")
    projection.keyed_by("INSERT INTO test_elsewhere VALUES ($1)")

    assert projection.scopes() == {}
