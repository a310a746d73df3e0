"""A PostgreSQL cluster of a test's own, which it may stop, crash and start at will.

The shared test server must never be restarted (other suites run on it), so the database
restart suites make a throw-away cluster with `initdb` in a temporary directory and drive it
with `pg_ctl`. The binaries come from `pg_config --bindir` (the system's PostgreSQL). As root,
PostgreSQL refuses to run: the commands then run as the `postgres` system user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

SYSTEM_USER = "postgres"
START_SECONDS = 60


def _bin_dir() -> Path:
    """Where initdb and pg_ctl are; AssertionError when this machine has no PostgreSQL."""
    pg_config = shutil.which("pg_config")
    assert pg_config, "a private cluster needs PostgreSQL's server binaries (pg_config)"
    found = Path(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout)
    bin_dir = Path(str(found).strip())
    assert (bin_dir / "initdb").exists(), f"no initdb next to pg_config in {bin_dir}"
    return bin_dir


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PrivateCluster:
    """One initdb'd cluster on 127.0.0.1:`port`, trust authentication, user `postgres`.

    `start`, `stop` (mode `fast`: clients are disconnected, a clean shutdown; `immediate`:
    the postmaster quits at once and the next start recovers from the WAL, as after a
    crash) and `restart` wait until done. Raises CalledProcessError when pg_ctl fails.
    """

    def __init__(self, directory: Path) -> None:
        self.bin_dir = _bin_dir()
        self.directory = directory
        self.data = directory / "data"
        self.port = _free_port()
        self._user = SYSTEM_USER if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        """The URL of the cluster's `postgres` database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        if self._user is not None:
            record = pwd.getpwnam(self._user)
            os.chown(self.directory, record.pw_uid, record.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        settings = (
            f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.directory}'\nmax_connections = 100\n"
            "shared_buffers = 32MB\n"
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(settings)

    def start(self) -> None:
        self._run("pg_ctl", *self._logged(), "-w", "-t", str(START_SECONDS), "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, mode: str = "fast") -> None:
        self._run("pg_ctl", *self._logged(), "-m", mode, "-w", "-t", str(START_SECONDS), "restart")

    def _logged(self) -> tuple[str, ...]:
        # Without a log file the postmaster would keep pg_ctl's output pipe open for good.
        return ("-D", str(self.data), "-l", str(self.directory / "server.log"))

    def running(self) -> bool:
        status = subprocess.run(
            [str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "status"],
            capture_output=True,
            user=self._user,
        )
        return status.returncode == 0

    def _run(self, command: str, *args: str) -> None:
        subprocess.run(
            [str(self.bin_dir / command), *args],
            check=True,
            capture_output=True,
            user=self._user,
            cwd=self.directory,
        )


@contextlib.contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    """A started private cluster; stopped (immediately) and deleted afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="cso-private-pg-"))
    cluster = PrivateCluster(directory)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            if cluster.running():
                cluster.stop("immediate")
        deadline = time.monotonic() + 10
        while (directory / "data" / "postmaster.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        shutil.rmtree(directory, ignore_errors=True)
