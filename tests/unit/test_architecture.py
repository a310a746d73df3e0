"""The layering docs/ARCHITECTURE.md draws, checked on the code: which package may import which.

Rules live in the domain with no I/O; use cases see the domain and the event store but no
transport; read models see no use case; nothing below the composition root imports it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import cso

ROOT = Path(cso.__file__).parent

# package -> the cso packages (or cso.package.module) it may import, besides itself.
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "eventstore": set(),
    "services": {"domain", "eventstore"},
    # The read models page with the GraphQL layer's keyset cursors, the one exception.
    "projections": {"domain", "eventstore", "database", "graphql.keyset", "graphql.cursors"},
    "audit": {"eventstore", "projections", "database", "domain"},
    "seed": {"domain", "services", "eventstore"},
}
# Libraries that do I/O or serve a transport: none belongs in the rules.
DOMAIN_FORBIDDEN = {"asyncpg", "starlette", "strawberry", "uvicorn", "httpx", "socket", "os"}


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _permitted(imported: str, package: str) -> bool:
    parts = imported.split(".")
    if parts[0] != "cso" or len(parts) < 2 or parts[1] == package:
        return True
    allowed = ALLOWED[package]
    return parts[1] in allowed or ".".join(parts[1:3]) in allowed


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    strays = [
        f"{path.relative_to(ROOT.parent)} imports {imported}"
        for path in _modules(package)
        for imported in _imports(path)
        if not _permitted(imported, package)
    ]
    assert strays == []


def test_the_domain_does_no_io() -> None:
    strays = [
        f"{path.relative_to(ROOT.parent)} imports {imported}"
        for path in _modules("domain")
        for imported in _imports(path)
        if imported.split(".")[0] in DOMAIN_FORBIDDEN
    ]
    assert strays == []


def test_only_the_command_line_and_server_import_the_composition_root() -> None:
    importers = sorted(
        str(path.relative_to(ROOT.parent))
        for path in ROOT.rglob("*.py")
        if any(imported in ("cso.app", "cso.cli") for imported in _imports(path))
    )
    assert all(name.startswith(("cso/cli", "cso/audit_cli")) for name in importers), importers


def test_the_rules_name_real_packages() -> None:
    for package, allowed in ALLOWED.items():
        assert (ROOT / package).is_dir(), package
        for target in allowed:
            base = ROOT / target.replace(".", "/")
            assert base.is_dir() or base.with_suffix(".py").exists(), target
