"""The projections of one process: their runners, read-your-writes waits, and their status.

`wait_for` looks at committed checkpoints in `projection_checkpoints`, so it works whichever
process runs a projection; runners in this process wake it the moment they commit, and
otherwise it polls the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from cso.eventstore import Checkpoint, Codec, EventStore, Listener
from cso.projections import sql
from cso.projections.base import Projection
from cso.projections.runner import ProjectionRunner

log = logging.getLogger(__name__)

START = Checkpoint()


@dataclass(frozen=True, slots=True)
class ProjectionStatus:
    """How far one projection has got. `lag_seconds` is the age of its oldest unapplied event.

    `running` says whether a runner in this process holds the projection's lock; the error
    fields come from the checkpoint row, so they show whichever process hit the failure.
    """

    name: str
    position: int
    lag_events: int
    lag_seconds: float
    running: bool = False
    last_error: str | None = None
    error_position: int | None = None
    failures: int = 0


class ProjectionSupervisor:
    def __init__(
        self,
        projections: Sequence[Projection],
        *,
        database_url: str,
        store: EventStore,
        codec: Codec,
        listener: Listener,
        poll_interval: float = 0.025,
        batch_size: int = 500,
        retry_interval: float = 0.5,
        lock_poll_interval: float = 1.0,
    ) -> None:
        names = [projection.name for projection in projections]
        if len(set(names)) != len(names):
            raise ValueError(f"two projections share a name: {names}")
        self.names = names
        self.pool = store.pool
        self.poll_interval = poll_interval
        self.runners = [
            ProjectionRunner(
                projection,
                database_url=database_url,
                store=store,
                codec=codec,
                listener=listener,
                batch_size=batch_size,
                retry_interval=retry_interval,
                lock_poll_interval=lock_poll_interval,
                on_commit=self._committed,
            )
            for projection in projections
        ]
        self._tasks: list[asyncio.Task[None]] = []
        self._progress = asyncio.Event()
        self._committed_at: dict[str, Checkpoint] = {}
        self._read_at = float("-inf")

    async def start(self) -> None:
        """One runner task per projection; each works only while it holds the lock."""
        if self._tasks:
            return
        self._tasks = [
            asyncio.create_task(runner.run_forever(), name=f"projection:{runner.name}")
            for runner in self.runners
        ]

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _committed(self, name: str, checkpoint: Checkpoint) -> None:
        """Runners call this after each commit (and table reads after seeing progress)."""
        if checkpoint <= self._committed_at.get(name, START):
            return
        self._committed_at[name] = checkpoint
        event, self._progress = self._progress, asyncio.Event()
        event.set()

    async def wait_for(self, token: str, timeout: float = 2.0) -> bool:
        """True once every projection has committed past the token's event; False when
        `timeout` seconds pass first. An invalid token raises InvalidToken."""
        target = Checkpoint.from_token(token)
        try:
            async with asyncio.timeout(max(timeout, 0.0)):
                while True:
                    progressed = self._progress
                    if self._passed(target):
                        return True
                    await self._read_table()
                    if self._passed(target):
                        return True
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(progressed.wait(), self.poll_interval)
        except TimeoutError:
            return False

    def _passed(self, target: Checkpoint) -> bool:
        return all(self._committed_at.get(name, START) >= target for name in self.names)

    async def _read_table(self) -> None:
        """Committed checkpoints, read at most once per poll interval however many wait;
        not at all while this process's runners hold every lock (they know already)."""
        if all(runner.holds_lock.is_set() for runner in self.runners):
            return
        now = asyncio.get_running_loop().time()
        if now - self._read_at < self.poll_interval:
            return
        self._read_at = now
        for row in await self.pool.fetch(sql.SELECT_CHECKPOINTS, self.names):
            self._committed(row["name"], Checkpoint(row["transaction_id"], row["position"]))

    async def status(self) -> list[ProjectionStatus]:
        running = {runner.name for runner in self.runners if runner.holds_lock.is_set()}
        rows = await self.pool.fetch(sql.SELECT_STATUS, self.names)
        return [
            ProjectionStatus(
                name=row["name"],
                position=row["position"],
                lag_events=row["lag_events"],
                lag_seconds=row["lag_seconds"],
                running=row["name"] in running,
                last_error=row["last_error"],
                error_position=row["error_position"],
                failures=row["failures"],
            )
            for row in rows
        ]
