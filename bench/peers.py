"""The peer servers of `make bench`, each in a child process on a free loopback port:
PostGraphile 4 (bench/peers, installed from npm by `make bench`) and the bare Starlette
routes of bench/bare.py under uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from api import HOST, _free_port, _stop  # bench/ is on sys.path when run as a script

PEERS = Path(__file__).parent / "peers"
BENCH = Path(__file__).parent
START_TIMEOUT = 60.0


@contextlib.asynccontextmanager
async def child(
    command: list[str], env: dict[str, str], log: Path, probe: str, cwd: Path | None = None
) -> AsyncIterator[asyncio.subprocess.Process]:
    """A server process, yielded once `probe` (a POST of `{__typename}` or a GET of
    /healthz) answers 200; stopped with SIGTERM (then SIGKILL) on the way out."""
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            *command, env=env, cwd=cwd, stdout=sink, stderr=asyncio.subprocess.STDOUT
        )
    try:
        await _until_answers(process, probe, log)
        yield process
    finally:
        await _stop(process)


async def _until_answers(process: asyncio.subprocess.Process, probe: str, log: Path) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    async with httpx.AsyncClient(timeout=2, trust_env=False) as client:
        while True:
            if process.returncode is not None:
                tail = log.read_bytes()[-2000:].decode(errors="replace")  # noqa: ASYNC240
                raise RuntimeError(f"{probe}: the server exited:\n{tail}")
            with contextlib.suppress(httpx.TransportError):
                if probe.endswith("/graphql"):
                    response = await client.post(probe, json={"query": "{ __typename }"})
                else:
                    response = await client.get(probe)
                if response.status_code == 200:
                    return
            if loop.time() > deadline:
                raise RuntimeError(f"{probe} did not answer in {START_TIMEOUT:g} s")
            await asyncio.sleep(0.2)


@contextlib.asynccontextmanager
async def postgraphile(database_url: str, log_dir: Path) -> AsyncIterator[str]:
    """PostGraphile over the read-model tables; yields its /graphql URL."""
    if not (PEERS / "node_modules" / "postgraphile").is_dir():
        raise RuntimeError("PostGraphile is not installed: `make bench` runs npm ci in bench/peers")
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port)}
    url = f"http://{HOST}:{port}/graphql"
    async with child(["node", "serve.js"], env, log_dir / "postgraphile.log", url, PEERS):
        yield url


@contextlib.asynccontextmanager
async def bare(database_url: str, log_dir: Path) -> AsyncIterator[str]:
    """bench/bare.py under uvicorn (one worker, projections off); yields its base URL."""
    port = _free_port()
    env = {**os.environ, "CSO_DATABASE_URL": database_url, "CSO_RUN_PROJECTIONS": "0"}
    command = [
        sys.executable, "-m", "uvicorn", "bare:create_app", "--factory", "--app-dir", str(BENCH),
        "--host", HOST, "--port", str(port), "--workers", "1", "--log-level", "warning",
        "--no-access-log",
    ]  # fmt: skip
    base = f"http://{HOST}:{port}"
    async with child(command, env, log_dir / "bare.log", f"{base}/healthz"):
        yield base
