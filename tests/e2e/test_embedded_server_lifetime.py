"""`cso serve` on the embedded PostgreSQL stops it on Ctrl-C, SIGTERM or SIGHUP, unless it was
already running when the server started."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cso.database import embedded_database_running, pgserver_module
from tests.e2e.conftest import SECRET
from tests.e2e.processes import start_api, stop


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory initdb has run in (and whose server has stopped again)."""
    template = tmp_path_factory.mktemp("embedded")
    script = "import sys; from pathlib import Path; from cso.database import *; " + (
        "embedded_database_url(Path(sys.argv[1]))"
    )
    subprocess.run([sys.executable, "-c", script, str(template)], check=True, timeout=120)
    return template


@pytest.fixture
def data_dir(initialised: Path, tmp_path: Path) -> Path:
    """A copy of the initialised data directory, owners kept (PostgreSQL checks them)."""
    subprocess.run(["cp", "-a", str(initialised / "pgdata"), str(tmp_path)], check=True)
    return tmp_path


def _serve(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    return start_api({"CSO_DATA_DIR": str(data_dir), "CSO_JWT_SECRET": SECRET})


def test_the_embedded_database_a_server_started_stops_with_it_on_sigterm(data_dir: Path) -> None:
    process, _ = _serve(data_dir)
    assert embedded_database_running(data_dir)
    # uvicorn shuts down, then re-raises the signal: our handler exits with 128 + 15.
    assert stop(process, signal.SIGTERM) == 128 + signal.SIGTERM
    assert not embedded_database_running(data_dir)


def test_the_embedded_database_a_server_started_stops_with_it_on_ctrl_c(data_dir: Path) -> None:
    process, _ = _serve(data_dir)
    stop(process, signal.SIGINT)
    assert not embedded_database_running(data_dir)


@pytest.mark.slow
def test_the_embedded_database_a_server_started_stops_with_it_when_its_terminal_closes(
    data_dir: Path,
) -> None:
    process, _ = _serve(data_dir)
    stop(process, signal.SIGHUP)
    assert not embedded_database_running(data_dir)


def test_an_embedded_database_already_running_is_left_running(data_dir: Path) -> None:
    # Started by another process that has since exited, as `pg_ctl start` by hand would.
    script = "import sys; from pathlib import Path; from cso.database import *; " + (
        "pgserver_module().get_server(Path(sys.argv[1]) / 'pgdata', cleanup_mode=None)"
    )
    subprocess.run([sys.executable, "-c", script, str(data_dir)], check=True, timeout=60)
    assert embedded_database_running(data_dir)
    try:
        process, _ = _serve(data_dir)
        stop(process, signal.SIGTERM)
        assert embedded_database_running(data_dir)
    finally:
        pgserver_module().get_server((data_dir / "pgdata").resolve()).cleanup()
