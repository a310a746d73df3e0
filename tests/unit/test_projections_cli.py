"""`cso projections list` and `cso projections rebuild` refusing before it touches anything."""

from __future__ import annotations

from typer.testing import CliRunner

from cso.cli import app as cli
from cso.projections import ALL_PROJECTIONS


def test_list_names_every_projection_with_the_tables_a_rebuild_would_replace() -> None:
    result = CliRunner().invoke(cli, ["projections", "list"])

    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == [p.name for p in ALL_PROJECTIONS]
    projects = next(line for line in lines if line.startswith("projects "))
    assert "rm_projects" in projects and "rm_requests" in projects


def test_rebuilding_an_unknown_projection_exits_2_naming_the_known_ones() -> None:
    result = CliRunner().invoke(
        cli, ["projections", "rebuild", "nonesuch"], env={"CSO_DATABASE_URL": "postgresql://x/y"}
    )

    assert result.exit_code == 2
    assert "no projection 'nonesuch'" in result.output and "officers" in result.output
