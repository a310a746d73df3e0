"""`cso serve` on the embedded PostgreSQL stops it on Ctrl-C or SIGTERM, unless it was
already running when the server started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from cso.database import embedded_database_running, pgserver_module
from tests.e2e.conftest import _free_port

CSO = str(Path(sys.executable).parent / "cso")


def _serve(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`cso serve` on the embedded PostgreSQL of `data_dir`, once it answers /healthz."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "CSO_DATABASE_URL"}
    env |= {"CSO_DATA_DIR": str(data_dir), "CSO_PORT": str(port), "CSO_LOG_LEVEL": "warning"}
    process = subprocess.Popen([CSO, "serve"], env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "cso serve exited"
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("cso serve did not answer within 60 s")


def _stop(process: subprocess.Popen[bytes], signum: int) -> int:
    process.send_signal(signum)
    return process.wait(timeout=30)


def test_the_embedded_database_a_server_started_stops_with_it_on_sigterm(tmp_path: Path) -> None:
    process, _ = _serve(tmp_path)
    assert embedded_database_running(tmp_path)
    # uvicorn shuts down, then re-raises the signal: our handler exits with 128 + 15.
    assert _stop(process, signal.SIGTERM) == 128 + signal.SIGTERM
    assert not embedded_database_running(tmp_path)


def test_the_embedded_database_a_server_started_stops_with_it_on_ctrl_c(tmp_path: Path) -> None:
    process, _ = _serve(tmp_path)
    _stop(process, signal.SIGINT)
    assert not embedded_database_running(tmp_path)


def test_an_embedded_database_already_running_is_left_running(tmp_path: Path) -> None:
    # Started by another process that has since exited, as `pg_ctl start` by hand would.
    script = "import sys; from pathlib import Path; from cso.database import *; " + (
        "pgserver_module().get_server(Path(sys.argv[1]) / 'pgdata', cleanup_mode=None)"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, timeout=60)
    assert embedded_database_running(tmp_path)
    try:
        process, _ = _serve(tmp_path)
        _stop(process, signal.SIGTERM)
        assert embedded_database_running(tmp_path)
    finally:
        pgserver_module().get_server((tmp_path / "pgdata").resolve()).cleanup()
