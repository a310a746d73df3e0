"""`cso serve` and `cso projections run` as real processes that a test kills (-9) and starts
again, the server on the same port each time so that clients need no new address."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time

import httpx

from tests.e2e.conftest import _free_port
from tests.e2e.processes import start_cso

START_SECONDS = 60.0


class Restartable:
    """One `cso` command (`args`) with `env`; `serve` commands get a fixed port and count as
    started once /healthz answers. `kills` counts the kill -9s."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.args = args
        self.serves = args[0] == "serve"
        self.port = _free_port() if self.serves else 0
        self.env = {**env, "CSO_PORT": str(self.port)} if self.serves else env
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Start the command; for a server, wait (START_SECONDS at most) until it answers.
        AssertionError when it exits or does not answer in time."""
        self.process = start_cso(*self.args, env=self.env)
        if not self.serves:
            return
        deadline = time.monotonic() + START_SECONDS
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                assert self.process.poll() is None, f"cso {' '.join(self.args)} exited"
                try:
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        raise AssertionError(f"cso {' '.join(self.args)} did not answer in {START_SECONDS} s")

    def kill(self) -> None:
        """kill -9, and reap it."""
        assert self.process is not None and self.process.poll() is None, "not running"
        self.process.kill()
        self.process.wait(timeout=30)
        self.kills += 1

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> int | None:
        """SIGTERM and the exit code (None when it was not running)."""
        if not self.running():
            return None
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=30)
