"""`cso persisted-queries`: a manifest the allow-list mode reads, one entry per operation."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cso.cli import app as cli
from cso.graphql.persisted_queries import read_manifest

DOCUMENT = """
query Me { me { ...Who } }
fragment Who on Viewer { id role }
fragment Unused on Viewer { name }
mutation Touch { __typename }
"""


def test_each_operation_becomes_an_entry_with_the_fragments_it_uses(tmp_path: Path) -> None:
    source = tmp_path / "desk.graphql"
    source.write_text(DOCUMENT)
    output = tmp_path / "manifest.json"
    result = CliRunner().invoke(cli, ["persisted-queries", str(source), "--output", str(output)])
    assert result.exit_code == 0, result.output
    manifest = json.loads(output.read_text())
    names = [(op["name"], op["type"]) for op in manifest["operations"]]
    assert names == [("Me", "query"), ("Touch", "mutation")]
    me = manifest["operations"][0]["body"]
    assert "fragment Who" in me and "Unused" not in me
    assert len(read_manifest(manifest)) == 2


def test_a_fragment_that_is_not_defined_fails_with_the_files_name(tmp_path: Path) -> None:
    source = tmp_path / "broken.graphql"
    source.write_text("query Me { me { ...Missing } }")
    result = CliRunner().invoke(cli, ["persisted-queries", str(source)])
    assert result.exit_code == 2
    assert "broken.graphql" in result.output and "Missing" in result.output


def test_an_operation_may_use_a_fragment_defined_in_another_file(tmp_path: Path) -> None:
    (tmp_path / "me.graphql").write_text("query Me { me { ...Who } }")
    (tmp_path / "who.graphql").write_text("fragment Who on Viewer { id role }")
    files = [str(tmp_path / "me.graphql"), str(tmp_path / "who.graphql")]
    result = CliRunner().invoke(cli, ["persisted-queries", *files])
    assert result.exit_code == 0, result.output
    (me,) = json.loads(result.output)["operations"]
    assert me["name"] == "Me" and "fragment Who on Viewer" in me["body"]


def test_two_files_defining_one_fragment_differently_fail(tmp_path: Path) -> None:
    (tmp_path / "a.graphql").write_text("query Me { me { ...Who } }\nfragment Who on Viewer { id }")
    (tmp_path / "b.graphql").write_text("fragment Who on Viewer { role }")
    files = [str(tmp_path / "a.graphql"), str(tmp_path / "b.graphql")]
    result = CliRunner().invoke(cli, ["persisted-queries", *files])
    assert result.exit_code == 2
    assert "b.graphql" in result.output and "Who" in result.output
