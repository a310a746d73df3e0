"""`cso db`: psql on the configured database, or its URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CSO = str(Path(sys.executable).parent / "cso")


def _cso(database_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CSO_DATABASE_URL": database_url}
    return subprocess.run(
        [CSO, *args], input=stdin, env=env, capture_output=True, text=True, timeout=60
    )


def test_cso_db_url_prints_the_configured_database_url(database_url: str) -> None:
    result = _cso(database_url, "db", "--url")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == database_url
    assert result.stderr == ""  # no warning for the user to puzzle over


def test_cso_db_opens_psql_on_the_database(database_url: str) -> None:
    result = _cso(database_url, "db", stdin="SELECT count(*) AS migrations FROM schema_migrations;")
    assert result.returncode == 0, result.stderr
    assert "migrations" in result.stdout
    assert "(1 row)" in result.stdout
