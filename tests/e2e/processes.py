"""`cso` commands as real processes, for tests of what happens across processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.e2e.conftest import _free_port

CSO = str(Path(sys.executable).parent / "cso")


def start_api(env: dict[str, str], *args: str) -> tuple[subprocess.Popen[bytes], str]:
    """`cso serve` (args added) on a free port, with `env` over this one's, once it answers
    /healthz (60 s at most): the process and its base URL."""
    port = _free_port()
    process = start_cso("serve", *args, env={**env, "CSO_PORT": str(port)})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "cso serve exited"
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("cso serve did not answer within 60 s")


def start_cso(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A `cso` command in the background; CSO_DATABASE_URL only if `env` sets it."""
    inherited = {k: v for k, v in os.environ.items() if k != "CSO_DATABASE_URL"}
    return subprocess.Popen([CSO, *args], env={**inherited, "CSO_LOG_LEVEL": "warning", **env})


def stop(process: subprocess.Popen[bytes], signum: int) -> int:
    """Send `signum` and wait (30 s at most) for the exit code."""
    process.send_signal(signum)
    return process.wait(timeout=30)
