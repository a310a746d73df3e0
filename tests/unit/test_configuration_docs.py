"""README's configuration table against the code: every CSO_ variable the package reads is
in it with the default the code falls back to, and it names no variable the code ignores."""

from __future__ import annotations

import re
from pathlib import Path

import cso

ROOT = Path(cso.__file__).parent
README = ROOT.parent / "README.md"

# Read by the test suite's fixtures, not by the package.
TESTS_ONLY = {"CSO_TEST_DATABASE_URL"}
# Set by `cso serve` for its own worker processes; README says so below the table.
INTERNAL = {"CSO_CATCH_UP_FIRST"}

_READ = re.compile(r"""\.get\(\s*"(CSO_[A-Z_]+)"(?:\s*,\s*"([^"]*)")?\s*\)""")
_NAMED = re.compile(r'"(CSO_[A-Z_]+)"')
_ROW = re.compile(r"^\| `(CSO_[A-Z_]+)` \| (.*?) \|", re.MULTILINE)


def _code_defaults() -> dict[str, str | None]:
    """Each variable the package reads with `.get(NAME, DEFAULT)`: its default (None: none)."""
    found: dict[str, str | None] = {}
    for path in ROOT.rglob("*.py"):
        for name, default in _READ.findall(path.read_text(encoding="utf-8")):
            found[name] = default or None
    return found


def _code_names() -> set[str]:
    return {n for path in ROOT.rglob("*.py") for n in _NAMED.findall(path.read_text("utf-8"))}


def _table() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Configuration") :]
    section = section[: section.index("\n## ", 1)]
    return dict(_ROW.findall(section))


def test_every_variable_the_code_reads_is_in_the_readme_table() -> None:
    missing = _code_names() - set(_table()) - INTERNAL
    assert not missing, f"README's configuration table lacks {sorted(missing)}"
    readme = README.read_text(encoding="utf-8")
    assert all(f"`{name}` is not a setting" in readme for name in INTERNAL)


def test_the_readme_table_names_no_variable_the_code_ignores() -> None:
    ignored = set(_table()) - _code_names() - TESTS_ONLY
    assert not ignored, f"README documents {sorted(ignored)}, which the code never reads"


def test_the_readme_table_gives_each_variable_the_default_of_the_code() -> None:
    table = _table()
    wrong = {
        name: (default, table[name])
        for name, default in _code_defaults().items()
        if default and name in table and not table[name].startswith(f"`{default}`")
    }
    assert not wrong, f"(code default, README default) differ: {wrong}"
